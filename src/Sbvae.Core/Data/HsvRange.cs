namespace Sbvae.Data;

/// <summary>
/// The HSV box colored sprites draw their colours from, uniformly and independently per
/// component (all in [0, 1]; hue 0 and 1 are both red). Each component is also a factor,
/// binned into <see cref="Bins"/> equal-width classes over its range.
/// </summary>
public sealed record HsvRange
{
    public const int Bins = 10;

    public double HueMin { get; init; } = 0;
    public double HueMax { get; init; } = 1;
    public double SaturationMin { get; init; } = 0.5;
    public double SaturationMax { get; init; } = 1;
    public double ValueMin { get; init; } = 0.5;
    public double ValueMax { get; init; } = 1;

    public void Validate()
    {
        Check("hue", HueMin, HueMax);
        Check("saturation", SaturationMin, SaturationMax);
        Check("value", ValueMin, ValueMax);
    }

    /// <summary>The class of <paramref name="x"/> within [lo, hi]: one of <see cref="Bins"/> equal-width bins (0 when lo = hi).</summary>
    public static int Bin(double x, double lo, double hi) =>
        hi > lo ? Math.Clamp((int)Math.Floor((x - lo) / (hi - lo) * Bins), 0, Bins - 1) : 0;

    static void Check(string name, double lo, double hi)
    {
        if (!(lo >= 0 && hi <= 1 && lo <= hi))
            throw new SbvaeException($"{name} range [{lo}, {hi}] must satisfy 0 ≤ min ≤ max ≤ 1");
    }
}
