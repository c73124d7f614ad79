namespace Sbvae.Evaluation;

/// <summary>An affine fit of latent to ground-truth positions: R² and the map's singular values.</summary>
public sealed record AffineFit(double R2, double LargerSingularValue, double SmallerSingularValue);

/// <summary>
/// How far the latent-space picture of SPEC §6.3 is from the ground-truth grid up to an affine
/// map. Fits latent = A·(x, y) + b by least squares (with intercept) for both latent
/// coordinates and reports the pooled coefficient of determination
/// R² = 1 − (SSres₁ + SSres₂) / (SStot₁ + SStot₂). A disentangled positional code gives
/// R² ≈ 1; the "twisted" grid of a deconv decoder gives clearly less.
/// Latents that do not vary at all (SStot = 0) explain nothing: R² = 0.
/// </summary>
public static class GeometryScore
{
    public static double AffineR2(double[][] groundTruthXy, double[][] latentXy) => Fit(groundTruthXy, latentXy).R2;

    /// <summary>
    /// The least-squares affine map latent ≈ A·(x, y) + b: its pooled R² and A's two singular values
    /// (largest first), the code's stretch along the grid's most and least stretched directions.
    /// </summary>
    public static AffineFit Fit(double[][] groundTruthXy, double[][] latentXy)
    {
        Check(groundTruthXy, latentXy);
        int n = groundTruthXy.Length;
        // Centring removes the intercept and keeps the 2×2 normal equations well conditioned.
        var gx = Centred(groundTruthXy, 0);
        var gy = Centred(groundTruthXy, 1);
        double sxx = Dot(gx, gx), sxy = Dot(gx, gy), syy = Dot(gy, gy);
        double det = sxx * syy - sxy * sxy;
        if (!(det > 1e-12 * Math.Max(sxx * syy, double.Epsilon)))
            throw new SbvaeException("ground-truth points lie on a line: no unique affine fit");

        double ssRes = 0, ssTot = 0;
        var map = new double[2, 2];
        for (int o = 0; o < 2; o++)
        {
            var z = Centred(latentXy, o);
            double bx = Dot(gx, z), by = Dot(gy, z);
            double a = (syy * bx - sxy * by) / det, b = (sxx * by - sxy * bx) / det;
            (map[o, 0], map[o, 1]) = (a, b);
            for (int i = 0; i < n; i++)
            {
                double r = z[i] - a * gx[i] - b * gy[i];
                ssRes += r * r;
                ssTot += z[i] * z[i];
            }
        }
        var (large, small) = SingularValues(map);
        return new AffineFit(ssTot > 0 ? 1 - ssRes / ssTot : 0, large, small);
    }

    /// <summary>Singular values of a 2×2 matrix from its squared Frobenius norm T and determinant D: s² = (T ± √(T² − 4D²)) / 2.</summary>
    public static (double Large, double Small) SingularValues(double[,] a)
    {
        double t = a[0, 0] * a[0, 0] + a[0, 1] * a[0, 1] + a[1, 0] * a[1, 0] + a[1, 1] * a[1, 1];
        double d = a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0];
        double root = Math.Sqrt(Math.Max(0, t * t - 4 * d * d));
        double large = Math.Sqrt((t + root) / 2);
        // |D| = s₁·s₂ is the stable way to the smaller one when s₂ ≪ s₁.
        return (large, large > 0 ? Math.Abs(d) / large : 0);
    }

    private static void Check(double[][] g, double[][] z)
    {
        if (g is null || z is null || g.Length != z.Length)
            throw new SbvaeException("geometry score needs as many latent points as ground-truth points");
        if (g.Length < 3)
            throw new SbvaeException("geometry score needs at least 3 points");
        for (int i = 0; i < g.Length; i++)
        {
            if (g[i] is not { Length: 2 } || z[i] is not { Length: 2 })
                throw new SbvaeException($"geometry score point {i} must have exactly 2 coordinates");
            if (!double.IsFinite(g[i][0]) || !double.IsFinite(g[i][1]) || !double.IsFinite(z[i][0]) || !double.IsFinite(z[i][1]))
                throw new SbvaeException($"geometry score point {i} is not finite");
        }
    }

    private static double[] Centred(double[][] rows, int k)
    {
        double mean = rows.Average(r => r[k]);
        return rows.Select(r => r[k] - mean).ToArray();
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
