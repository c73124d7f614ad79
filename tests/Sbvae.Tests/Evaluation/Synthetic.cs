using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

/// <summary>Factor grids and hand-made representations with known disentanglement.</summary>
internal sealed class SyntheticFactors(params int[] sizes) : IGroundTruthData
{
    public int NumFactors => sizes.Length;
    public int[] FactorsNumValues => sizes;

    public int[][] SampleFactors(int n, Random rng) =>
        Enumerable.Range(0, n).Select(_ => sizes.Select(s => rng.Next(s)).ToArray()).ToArray();
}

internal static class Reps
{
    public static Representation Map(Func<int[], Random, float[]> code) =>
        (factors, rng) => factors.Select(f => code(f, rng)).ToArray();

    /// <summary>z = f.</summary>
    public static readonly Representation Identity = Map((f, _) => f.Select(v => (float)v).ToArray());

    /// <summary>Affine per factor, dimensions shuffled: z = (−2·f2 + 5, 3·f0 + 1, 0.5·f1 − 4).</summary>
    public static readonly Representation AffineShuffled = Map((f, _) => [-2f * f[2] + 5, 3f * f[0] + 1, 0.5f * f[1] - 4]);

    /// <summary>Invertible non-linear per factor, dimensions shuffled: z = 3·f³ + 1 in order (f1, f2, f0).</summary>
    public static readonly Representation CubicShuffled = Map((f, _) => [Cubic(f[1]), Cubic(f[2]), Cubic(f[0])]);

    public static readonly Representation Constant = Map((f, _) => new float[f.Length]);

    public static readonly Representation Noise = Map((f, rng) => f.Select(_ => Gaussian(rng)).ToArray());

    /// <summary>z0 = f0 + K·f1 carries two factors, z1 is noise, z2 = f2.</summary>
    public static Representation Mixed(int k) => Map((f, rng) => [f[0] + k * f[1], Gaussian(rng), f[2]]);

    /// <summary>z = (f0 + f1, f0 − f1, f2): a 45° rotation of two factors.</summary>
    public static readonly Representation Rotated = Map((f, _) => [f[0] + f[1], f[0] - f[1], f[2]]);

    /// <summary>The representation with its dimensions reordered: z'[i] = z[perm[i]].</summary>
    public static Representation Permuted(Representation rep, int[] perm) =>
        (factors, rng) => rep(factors, rng).Select(z => perm.Select(p => z[p]).ToArray()).ToArray();

    public static float[][] Permute(float[][] codes, int[] perm) =>
        codes.Select(z => perm.Select(p => z[p]).ToArray()).ToArray();

    private static float Cubic(int v) => 3f * v * v * v + 1;

    public static float Gaussian(Random rng) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
}
