namespace Sbvae.Evaluation;

/// <summary>Sampling and shape checks shared by the metrics.</summary>
internal static class MetricInput
{
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new SbvaeException($"{name} must be positive, got {value}");
    }

    /// <summary>Samples n factor rows and encodes them (disentanglement_lib's generate_batch_factor_code).</summary>
    public static (float[][] Codes, int[][] Factors) Sample(IGroundTruthData data, Representation rep, int n, Random rng)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rep);
        ArgumentNullException.ThrowIfNull(rng);
        Positive(n, "number of points");
        var factors = data.SampleFactors(n, rng);
        return (Encode(rep, factors, rng), factors);
    }

    public static float[][] Encode(Representation rep, int[][] factors, Random rng)
    {
        var codes = rep(factors, rng);
        Check(codes, factors, "representation");
        return codes;
    }

    /// <summary>Codes and factors must be non-empty, rectangular, aligned and finite.</summary>
    public static void Check(float[][] codes, int[][] factors, string what)
    {
        if (codes is null || factors is null)
            throw new SbvaeException($"{what}: codes and factors are required");
        if (codes.Length == 0 || codes.Length != factors.Length)
            throw new SbvaeException($"{what}: {codes.Length} codes for {factors.Length} factor rows");
        int d = codes[0]?.Length ?? 0, f = factors[0]?.Length ?? 0;
        if (d == 0 || f == 0)
            throw new SbvaeException($"{what}: codes and factor rows must not be empty");
        for (int i = 0; i < codes.Length; i++)
        {
            if (codes[i] is null || codes[i].Length != d || factors[i] is null || factors[i].Length != f)
                throw new SbvaeException($"{what}: row {i} has a different width from row 0");
            foreach (float v in codes[i])
                if (!float.IsFinite(v)) throw new SbvaeException($"{what}: code row {i} is not finite");
        }
    }

    public static float[] Column(float[][] rows, int j)
    {
        var c = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++) c[i] = rows[i][j];
        return c;
    }

    public static int[] Column(int[][] rows, int j)
    {
        var c = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++) c[i] = rows[i][j];
        return c;
    }

    /// <summary>Sample variance (ddof = 1, as np.var(..., ddof=1)) of each code dimension.</summary>
    public static double[] Variances(float[][] codes)
    {
        int n = codes.Length, d = codes[0].Length;
        var mean = new double[d];
        var m2 = new double[d];
        foreach (var row in codes)
            for (int k = 0; k < d; k++) mean[k] += row[k];
        for (int k = 0; k < d; k++) mean[k] /= n;
        foreach (var row in codes)
            for (int k = 0; k < d; k++) { double e = row[k] - mean[k]; m2[k] += e * e; }
        for (int k = 0; k < d; k++) m2[k] = n > 1 ? m2[k] / (n - 1) : 0;
        return m2;
    }

    /// <summary>Maps arbitrary class values to 0..K-1 in ascending order.</summary>
    public static (int[] Dense, int[] Values) Densify(int[] labels)
    {
        var values = labels.Distinct().Order().ToArray();
        var index = new Dictionary<int, int>(values.Length);
        for (int i = 0; i < values.Length; i++) index[values[i]] = i;
        return (labels.Select(v => index[v]).ToArray(), values);
    }
}
