using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Sbvae.Evaluation;

/// <param name="Disentanglement">Σ_i ρ_i (1 − H_F(R_i·)), ρ_i = row share of the total importance.</param>
/// <param name="Completeness">Σ_j ρ_j (1 − H_D(R_·j)), ρ_j = column share of the total importance.</param>
/// <param name="Informativeness">Test accuracy of the per-factor classifiers, mean over factors.</param>
/// <param name="InformativenessTrain">Train accuracy, mean over factors.</param>
/// <param name="Importance">R[i][j] ≥ 0, latents × factors; each non-zero column sums to 1.</param>
public sealed record DciResult(double Disentanglement, double Completeness, double Informativeness,
    double InformativenessTrain, double[][] Importance);

/// <summary>
/// Disentanglement, Completeness, Informativeness (Eastwood &amp; Williams 2018, "A Framework for
/// the Quantitative Evaluation of Disentangled Representations", Sec. 2) as disentanglement_lib
/// evaluation/metrics/dci.py computes them: per factor a gradient-boosted-tree classifier on the
/// codes; R[i][j] = importance of latent i for factor j; H_F and H_D are entropies with base
/// F (factors) and D (latents) of the rows / columns normalised to sum 1 (1e-11 added, as the
/// reference); informativeness is classification accuracy.
/// <para>
/// The reference uses sklearn GradientBoostingClassifier (100 trees of depth 3, rate 0.1,
/// softmax over classes) and its impurity-based feature_importances_. ML.NET has no
/// multiclass FastTree, so here each class gets a one-vs-rest FastTree binary model (100 trees,
/// 8 leaves ≈ depth 3, rate 0.1, one-example leaves allowed as in sklearn), the prediction is
/// the class with the highest raw score, and the importance of a latent is the sum of the
/// split gains (the training-loss reduction of every split on it, read from the public tree
/// ensemble) over all trees of all the factor's models, normalised per factor to sum 1 like
/// feature_importances_.
/// A factor with one class in the training set gets no model: it is predicted as that class
/// and its importance column stays zero. Codes that never vary cannot be split on.
/// </para>
/// </summary>
public static class Dci
{
    public static DciResult Compute(IGroundTruthData data, Representation rep, Random rng,
        int numTrain = 10000, int numTest = 5000, int numTrees = 100)
    {
        var (trainCodes, trainFactors) = MetricInput.Sample(data, rep, numTrain, rng);
        var (testCodes, testFactors) = MetricInput.Sample(data, rep, numTest, rng);
        return FromCodes(trainCodes, trainFactors, testCodes, testFactors, numTrees, rng.Next());
    }

    public static DciResult FromCodes(float[][] trainCodes, int[][] trainFactors, float[][] testCodes, int[][] testFactors,
        int numTrees = 100, int seed = 0)
    {
        MetricInput.Check(trainCodes, trainFactors, "DCI train set");
        MetricInput.Check(testCodes, testFactors, "DCI test set");
        MetricInput.Positive(numTrees, "number of trees");
        int d = trainCodes[0].Length, f = trainFactors[0].Length;
        if (testCodes[0].Length != d || testFactors[0].Length != f)
            throw new SbvaeException("DCI: train and test sets differ in code or factor width");
        if (d < 2 || f < 2)
            throw new SbvaeException("DCI needs at least two latents and two factors (entropies use bases D and F)");

        var importance = new double[d][];
        for (int i = 0; i < d; i++) importance[i] = new double[f];
        double trainAcc = 0, testAcc = 0;
        bool anyVaries = Enumerable.Range(0, d).Any(i => trainCodes.Any(r => r[i] != trainCodes[0][i]));
        for (int j = 0; j < f; j++)
        {
            var fit = FitFactor(trainCodes, MetricInput.Column(trainFactors, j), testCodes, MetricInput.Column(testFactors, j),
                numTrees, seed + j, anyVaries);
            for (int i = 0; i < d; i++) importance[i][j] = fit.Importance[i];
            trainAcc += fit.TrainAccuracy;
            testAcc += fit.TestAccuracy;
        }
        return new DciResult(Disentanglement(importance), Completeness(importance), testAcc / f, trainAcc / f, importance);
    }

    private sealed record FactorFit(double[] Importance, double TrainAccuracy, double TestAccuracy);

    private static FactorFit FitFactor(float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest, int numTrees, int seed, bool anyVaries)
    {
        int d = xTrain[0].Length;
        var classes = yTrain.Distinct().Order().ToArray();
        var gains = new double[d];
        var trainScore = new double[classes.Length][];
        var testScore = new double[classes.Length][];
        // With one class, or no code that ever varies, there is nothing to split: predict the
        // majority class (FastTree would refuse to train without a usable feature).
        if (classes.Length < 2 || !anyVaries)
        {
            int majority = yTrain.GroupBy(v => v).MaxBy(g => g.Count())!.Key;
            return new FactorFit(gains, Accuracy(yTrain, _ => majority), Accuracy(yTest, _ => majority));
        }

        var ml = new MLContext(seed);
        var testView = MlData.Binary(ml, xTest, new bool[xTest.Length]);
        for (int c = 0; c < classes.Length; c++)
        {
            var trainView = MlData.Binary(ml, xTrain, yTrain.Select(v => v == classes[c]).ToArray());
            var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = numTrees,
                NumberOfLeaves = 8,
                LearningRate = 0.1,
                MinimumExampleCountPerLeaf = 1,
                Seed = seed,
            });
            var model = trainer.Fit(trainView);
            foreach (var tree in model.Model.SubModel.TrainedTreeEnsemble.Trees)
                for (int node = 0; node < tree.NumberOfNodes; node++)
                    gains[tree.NumericalSplitFeatureIndexes[node]] += tree.SplitGains[node];
            trainScore[c] = Scores(model, trainView);
            testScore[c] = Scores(model, testView);
        }
        double total = gains.Sum();
        if (total > 0)
            for (int i = 0; i < d; i++) gains[i] /= total;
        return new FactorFit(gains,
            Accuracy(yTrain, n => classes[ArgMax(trainScore, n)]),
            Accuracy(yTest, n => classes[ArgMax(testScore, n)]));
    }

    private static double[] Scores(ITransformer model, IDataView view) =>
        model.Transform(view).GetColumn<float>("Score").Select(s => (double)s).ToArray();

    private static int ArgMax(double[][] scores, int n)
    {
        int best = 0;
        for (int c = 1; c < scores.Length; c++)
            if (scores[c][n] > scores[best][n]) best = c;
        return best;
    }

    private static double Accuracy(int[] y, Func<int, int> predict)
    {
        int hits = 0;
        for (int n = 0; n < y.Length; n++) if (predict(n) == y[n]) hits++;
        return (double)hits / y.Length;
    }

    /// <summary>dci.py disentanglement(): code-importance-weighted 1 − H_F of each row.</summary>
    public static double Disentanglement(double[][] r)
    {
        int d = r.Length, f = r[0].Length;
        double total = r.Sum(row => row.Sum());
        double score = 0;
        for (int i = 0; i < d; i++)
        {
            // An all-zero matrix weighs every code equally (as the reference).
            double weight = total > 0 ? r[i].Sum() / total : 1.0 / d;
            score += weight * (1 - Entropy(r[i], f));
        }
        return score;
    }

    /// <summary>dci.py completeness(): factor-importance-weighted 1 − H_D of each column.</summary>
    public static double Completeness(double[][] r)
    {
        int d = r.Length, f = r[0].Length;
        double total = r.Sum(row => row.Sum());
        double score = 0;
        for (int j = 0; j < f; j++)
        {
            var column = r.Select(row => row[j]).ToArray();
            double weight = total > 0 ? column.Sum() / total : 1.0 / f;
            score += weight * (1 - Entropy(column, d));
        }
        return score;
    }

    /// <summary>scipy.stats.entropy(p + 1e-11, base): p is normalised to sum 1 first.</summary>
    private static double Entropy(double[] p, int logBase)
    {
        double sum = p.Sum(v => v + 1e-11), h = 0;
        foreach (double v in p)
        {
            double q = (v + 1e-11) / sum;
            h -= q * Math.Log(q);
        }
        return h / Math.Log(logBase);
    }
}
