namespace Sbvae.Evaluation;

/// <param name="Score">Mean over scored factors of (top1 − top2 of MutualInformation[·][j]) / FactorEntropy[j].</param>
/// <param name="MutualInformation">m[i][j], nats, latent i (discretised) vs factor j.</param>
/// <param name="FactorEntropy">H(y_j), nats.</param>
/// <param name="ScoredFactors">Factors that vary in the sample; the others (H = 0) are left out of the mean.</param>
public sealed record MigResult(double Score, double[][] MutualInformation, double[] FactorEntropy, int[] ScoredFactors);

/// <summary>
/// Mutual Information Gap (Chen et al. 2018, "Isolating Sources of Disentanglement in VAEs",
/// arXiv 1802.04942, eq. 7), as computed by disentanglement_lib
/// (evaluation/metrics/mig.py with utils._histogram_discretize and
/// sklearn.metrics.mutual_info_score): each latent is cut into numBins equal-width bins over
/// its own range (np.histogram edges, np.digitize), m[i][j] is the discrete mutual
/// information in nats between latent i and factor j, and
/// MIG = mean_j (m_(1)j − m_(2)j) / H(y_j).
/// Factors taking a single value in the sample (H = 0, where the reference would divide by
/// zero) are excluded from the mean; MIG needs at least two latents (a gap needs two).
/// </summary>
public static class Mig
{
    public static MigResult Compute(IGroundTruthData data, Representation rep, Random rng, int numPoints = 10000, int numBins = 20)
    {
        var (codes, factors) = MetricInput.Sample(data, rep, numPoints, rng);
        return FromCodes(codes, factors, numBins);
    }

    public static MigResult FromCodes(float[][] codes, int[][] factors, int numBins = 20)
    {
        MetricInput.Check(codes, factors, "MIG");
        MetricInput.Positive(numBins, "number of bins");
        int d = codes[0].Length, f = factors[0].Length;
        if (d < 2) throw new SbvaeException("MIG needs at least two latent dimensions");

        var binned = new int[d][];
        for (int i = 0; i < d; i++) binned[i] = Discretize(MetricInput.Column(codes, i), numBins);
        var ys = new int[f][];
        for (int j = 0; j < f; j++) ys[j] = MetricInput.Densify(MetricInput.Column(factors, j)).Dense;

        var m = new double[d][];
        for (int i = 0; i < d; i++)
        {
            m[i] = new double[f];
            for (int j = 0; j < f; j++) m[i][j] = MutualInformation(binned[i], ys[j]);
        }
        var entropy = ys.Select(y => MutualInformation(y, y)).ToArray();

        var scored = Enumerable.Range(0, f).Where(j => entropy[j] > 0).ToArray();
        if (scored.Length == 0) throw new SbvaeException("MIG needs at least one factor that varies");
        double sum = 0;
        foreach (int j in scored)
        {
            var col = m.Select(row => row[j]).OrderDescending().ToArray();
            sum += (col[0] - col[1]) / entropy[j];
        }
        return new MigResult(sum / scored.Length, m, entropy, scored);
    }

    /// <summary>
    /// np.digitize(x, np.histogram(x, bins)[1][:-1]): the bin of x is the number of left
    /// edges at or below it (1..bins); a constant latent gets the range ±0.5 as numpy does.
    /// </summary>
    public static int[] Discretize(float[] x, int bins)
    {
        double lo = x.Min(), hi = x.Max();
        if (lo == hi) { lo -= 0.5; hi += 0.5; }
        double step = (hi - lo) / bins;
        var edges = new double[bins];
        for (int b = 0; b < bins; b++) edges[b] = lo + b * step;
        var result = new int[x.Length];
        for (int n = 0; n < x.Length; n++)
        {
            int k = Array.BinarySearch(edges, (double)x[n]);
            // Exact hit on an edge counts that edge; otherwise ~k is the number of edges below.
            result[n] = k >= 0 ? LastEqual(edges, k) + 1 : ~k;
        }
        return result;
    }

    private static int LastEqual(double[] edges, int k)
    {
        while (k + 1 < edges.Length && edges[k + 1] == edges[k]) k++;
        return k;
    }

    /// <summary>Discrete mutual information in nats of two labelings (sklearn mutual_info_score), clipped at 0.</summary>
    public static double MutualInformation(int[] a, int[] b)
    {
        int n = a.Length, na = a.Max() + 1, nb = b.Max() + 1;
        var joint = new int[na, nb];
        var pa = new int[na];
        var pb = new int[nb];
        for (int k = 0; k < n; k++) { joint[a[k], b[k]]++; pa[a[k]]++; pb[b[k]]++; }
        double mi = 0;
        for (int u = 0; u < na; u++)
            for (int v = 0; v < nb; v++)
            {
                int c = joint[u, v];
                if (c == 0) continue;
                mi += (double)c / n * Math.Log((double)c * n / ((double)pa[u] * pb[v]));
            }
        return Math.Max(mi, 0);
    }
}
