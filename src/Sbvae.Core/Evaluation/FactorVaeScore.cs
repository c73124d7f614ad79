namespace Sbvae.Evaluation;

/// <param name="TrainAccuracy">Majority-vote classifier accuracy on the votes it was built from.</param>
/// <param name="EvalAccuracy">Its accuracy on fresh votes (the score).</param>
/// <param name="NumActiveDims">Latents whose global standard deviation is at least the pruning threshold.</param>
public sealed record FactorVaeResult(double TrainAccuracy, double EvalAccuracy, int NumActiveDims);

/// <summary>
/// FactorVAE disentanglement metric (Kim &amp; Mnih 2018, "Disentangling by Factorising",
/// arXiv 1802.05983, Sec. 4), as disentanglement_lib evaluation/metrics/factor_vae.py: global
/// variances (ddof 1) of the codes from numVarianceEstimate points; latents with standard
/// deviation below 0.05 are pruned (the value disentanglement_lib's configs pass to
/// prune_dims). A vote fixes a random factor k to one value over batchSize sampled rows,
/// encodes them and records (argmin over active latents of local variance / global variance, k).
/// The classifier maps each latent to the factor with most training votes; the score is its
/// accuracy on numEval fresh votes. No active latent scores 0, as the reference.
/// </summary>
public static class FactorVaeScore
{
    public const double PruneThreshold = 0.05;

    public static FactorVaeResult Compute(IGroundTruthData data, Representation rep, Random rng,
        int batchSize = 64, int numTrain = 10000, int numEval = 5000, int numVarianceEstimate = 10000)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 2) throw new SbvaeException($"FactorVAE batch size must be at least 2, got {batchSize}");
        MetricInput.Positive(numTrain, "number of training votes");
        MetricInput.Positive(numEval, "number of evaluation votes");
        if (numVarianceEstimate < 2) throw new SbvaeException("FactorVAE needs at least 2 points to estimate variances");

        var (codes, _) = MetricInput.Sample(data, rep, numVarianceEstimate, rng);
        var globalVar = MetricInput.Variances(codes);
        var active = Enumerable.Range(0, globalVar.Length).Where(k => Math.Sqrt(globalVar[k]) >= PruneThreshold).ToArray();
        if (active.Length == 0) return new FactorVaeResult(0, 0, 0);

        var train = Votes(data, rep, rng, batchSize, numTrain, globalVar, active);
        // classifier[latent] = factor with the most votes (ties: lowest factor, as np.argmax).
        var classifier = new int[globalVar.Length];
        for (int z = 0; z < classifier.Length; z++)
            for (int k = 1; k < data.NumFactors; k++)
                if (train[k, z] > train[classifier[z], z]) classifier[z] = k;
        var eval = Votes(data, rep, rng, batchSize, numEval, globalVar, active);
        return new FactorVaeResult(Accuracy(train, classifier), Accuracy(eval, classifier), active.Length);
    }

    /// <summary>votes[factor, latent] counts of (fixed factor, argmin latent) pairs.</summary>
    private static int[,] Votes(IGroundTruthData data, Representation rep, Random rng, int batchSize, int numVotes,
        double[] globalVar, int[] active)
    {
        var votes = new int[data.NumFactors, globalVar.Length];
        for (int v = 0; v < numVotes; v++)
        {
            int k = rng.Next(data.NumFactors);
            var factors = data.SampleFactors(batchSize, rng);
            foreach (var row in factors) row[k] = factors[0][k];
            var local = MetricInput.Variances(MetricInput.Encode(rep, factors, rng));
            if (local.Length != globalVar.Length) throw new SbvaeException("representation changed its code width between calls");
            int best = active[0];
            foreach (int z in active)
                if (local[z] / globalVar[z] < local[best] / globalVar[best]) best = z;
            votes[k, best]++;
        }
        return votes;
    }

    private static double Accuracy(int[,] votes, int[] classifier)
    {
        long hits = 0, total = 0;
        for (int k = 0; k < votes.GetLength(0); k++)
            for (int z = 0; z < votes.GetLength(1); z++)
            {
                total += votes[k, z];
                if (classifier[z] == k) hits += votes[k, z];
            }
        return (double)hits / total;
    }
}
