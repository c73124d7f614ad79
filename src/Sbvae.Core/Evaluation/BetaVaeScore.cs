using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace Sbvae.Evaluation;

/// <param name="TrainAccuracy">Classifier accuracy on its training votes.</param>
/// <param name="EvalAccuracy">Accuracy on fresh votes (the score).</param>
public sealed record BetaVaeResult(double TrainAccuracy, double EvalAccuracy);

/// <summary>
/// β-VAE disentanglement metric (Higgins et al. 2017, "β-VAE: Learning Basic Visual Concepts
/// with a Constrained Variational Framework", Sec. 3), as disentanglement_lib
/// evaluation/metrics/beta_vae.py (compute_beta_vae_sklearn): a vote picks a factor k, samples
/// batchSize pairs of factor rows that agree on k, and takes the mean over the batch of
/// |z1 − z2| as a feature vector labelled k. A multinomial logistic regression is trained on
/// numTrain votes and scored on numEval fresh ones. The reference's sklearn LogisticRegression
/// (L2, C = 1, lbfgs) is matched by ML.NET LbfgsMaximumEntropy with L2 weight 1 on the summed
/// loss and no L1 term.
/// </summary>
public static class BetaVaeScore
{
    public static BetaVaeResult Compute(IGroundTruthData data, Representation rep, Random rng,
        int batchSize = 64, int numTrain = 10000, int numEval = 5000)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rng);
        MetricInput.Positive(batchSize, "batch size");
        MetricInput.Positive(numTrain, "number of training votes");
        MetricInput.Positive(numEval, "number of evaluation votes");
        if (data.NumFactors < 2) throw new SbvaeException("the BetaVAE score needs at least two factors");

        var (xTrain, yTrain) = Votes(data, rep, rng, batchSize, numTrain);
        var ml = new MLContext(rng.Next());
        var trainView = MlData.Multiclass(ml, xTrain, yTrain, data.NumFactors);
        var model = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L1Regularization = 0,
            L2Regularization = 1,
        }).Fit(trainView);
        double trainAcc = Accuracy(MlData.PredictedClasses(model, trainView), yTrain);

        var (xEval, yEval) = Votes(data, rep, rng, batchSize, numEval);
        var evalView = MlData.Multiclass(ml, xEval, yEval, data.NumFactors);
        return new BetaVaeResult(trainAcc, Accuracy(MlData.PredictedClasses(model, evalView), yEval));
    }

    private static (float[][] Features, int[] Labels) Votes(IGroundTruthData data, Representation rep, Random rng, int batchSize, int numVotes)
    {
        var features = new float[numVotes][];
        var labels = new int[numVotes];
        for (int v = 0; v < numVotes; v++)
        {
            int k = rng.Next(data.NumFactors);
            var f1 = data.SampleFactors(batchSize, rng);
            var f2 = data.SampleFactors(batchSize, rng);
            for (int n = 0; n < batchSize; n++) f2[n][k] = f1[n][k];
            var z1 = MetricInput.Encode(rep, f1, rng);
            var z2 = MetricInput.Encode(rep, f2, rng);
            if (z1[0].Length != z2[0].Length) throw new SbvaeException("representation changed its code width between calls");
            var mean = new double[z1[0].Length];
            for (int n = 0; n < batchSize; n++)
                for (int i = 0; i < mean.Length; i++) mean[i] += Math.Abs((double)z1[n][i] - z2[n][i]);
            features[v] = mean.Select(s => (float)(s / batchSize)).ToArray();
            labels[v] = k;
        }
        return (features, labels);
    }

    private static double Accuracy(int[] predicted, int[] y) =>
        (double)predicted.Zip(y).Count(p => p.First == p.Second) / y.Length;
}
