namespace Sbvae.Evaluation;

/// <summary>
/// How much of the true (x, y) a linear read-out of the code recovers: least squares from the codes (with
/// an intercept) to the positions on a seeded two thirds of the points, and the pooled R² on the other third,
/// 1 − Σ residual² / Σ (target − mean)² over both coordinates. A code that does not encode position gives
/// R² ≤ 0 (negative: worse than the mean); "encodes position" is taken as R² ≥ 0.9.
/// </summary>
public static class LinearProbe
{
    public const double EncodesPosition = 0.9;

    public static double HeldOutR2(float[][] codes, double[][] targets, int seed = 0)
    {
        int n = codes.Length;
        if (n != targets.Length) throw new SbvaeException("the probe needs as many targets as codes");
        if (n < 6) throw new SbvaeException("the probe needs at least 6 points");
        int k = codes[0].Length, d = k + 1, outputs = targets[0].Length;
        var order = Seeds.Permutation(n, seed, 0);
        int train = n * 2 / 3;
        double[] Row(long i) => [1.0, .. codes[i].Select(v => (double)v)];

        // Normal equations (XᵀX + εI) W = XᵀY; the small ridge keeps collapsed (constant) latents solvable.
        var xtx = new double[d, d];
        var xty = new double[d, outputs];
        for (int t = 0; t < train; t++)
        {
            var x = Row(order[t]);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++) xtx[a, b] += x[a] * x[b];
                for (int o = 0; o < outputs; o++) xty[a, o] += x[a] * targets[order[t]][o];
            }
        }
        for (int a = 0; a < d; a++) xtx[a, a] += 1e-8 * train;
        var w = Solve(xtx, xty);

        var mean = new double[outputs];
        for (int t = train; t < n; t++)
            for (int o = 0; o < outputs; o++) mean[o] += targets[order[t]][o] / (n - train);
        double ssRes = 0, ssTot = 0;
        for (int t = train; t < n; t++)
        {
            var x = Row(order[t]);
            for (int o = 0; o < outputs; o++)
            {
                double prediction = 0;
                for (int a = 0; a < d; a++) prediction += x[a] * w[a, o];
                double y = targets[order[t]][o];
                ssRes += (y - prediction) * (y - prediction);
                ssTot += (y - mean[o]) * (y - mean[o]);
            }
        }
        return ssTot > 0 ? 1 - ssRes / ssTot : 0;
    }

    /// <summary>Gaussian elimination with partial pivoting on a symmetric positive definite system.</summary>
    static double[,] Solve(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(1);
        a = (double[,])a.Clone();
        b = (double[,])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            for (int c = 0; c < n; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int c = 0; c < m; c++) (b[col, c], b[pivot, c]) = (b[pivot, c], b[col, c]);
            for (int r = 0; r < n; r++)
            {
                if (r == col || a[col, col] == 0) continue;
                double f = a[r, col] / a[col, col];
                for (int c = 0; c < n; c++) a[r, c] -= f * a[col, c];
                for (int c = 0; c < m; c++) b[r, c] -= f * b[col, c];
            }
        }
        var x = new double[n, m];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < m; c++) x[r, c] = a[r, r] != 0 ? b[r, c] / a[r, r] : 0;
        return x;
    }
}
