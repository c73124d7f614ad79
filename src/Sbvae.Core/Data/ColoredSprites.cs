namespace Sbvae.Data;

/// <summary>
/// The paper's colored sprites: binary dSprites shapes (from the file or <see cref="DSpritesLike"/>)
/// painted per sample with one colour drawn from an <see cref="HsvRange"/>, as RGB images. dSprites'
/// constant color column is dropped and hue, saturation and value join as factors, giving 8:
/// shape, scale, orientation, posX, posY (the source's classes and values), hue, saturation, value
/// (the drawn values, classes by <see cref="HsvRange.Bin"/>).
/// </summary>
public static class ColoredSprites
{
    public static readonly string[] FactorNames = ["shape", "scale", "orientation", "posX", "posY", "hue", "saturation", "value"];

    /// <summary><paramref name="count"/> distinct random rows of the source, each with a random colour (both seeded).</summary>
    public static ImageDataset Create(IDSpritesSource source, int count, int seed, HsvRange? range = null) =>
        Create(source, DSpritesSubsets.SampleRows(source.Count, count, seed), seed, range);

    public static ImageDataset Create(IDSpritesSource source, IReadOnlyList<int> rows, int seed, HsvRange? range = null)
    {
        range ??= new HsvRange();
        range.Validate();
        if (source.Factors.NumFactors != DSpritesFactors.DSpritesNames.Count)
            throw new ArgumentException($"a dSprites-style source has {DSpritesFactors.DSpritesNames.Count} factors, not {source.Factors.NumFactors}");
        int n = rows.Count, side = source.Side, imageBytes = side * side * 3, f = FactorNames.Length;
        if ((long)n * imageBytes > Array.MaxLength)
            throw new SbvaeException($"{n:N0} RGB images of {side}×{side} do not fit in memory (2 GB); ask for fewer");
        // Colours get their own stream (a fixed mix of the seed) so they are not correlated with the row
        // sampling of the same seed; HashCode is not used because it changes from process to process.
        var rng = new Random(seed ^ 0x2E5BF271);
        var pixels = new byte[n * imageBytes];
        var values = new double[n * f];
        var classes = new long[n * f];
        var mask = new byte[side * side];
        Span<double> sourceValues = stackalloc double[6];
        Span<long> sourceClasses = stackalloc long[6];
        for (int i = 0; i < n; i++)
        {
            double h = Uniform(rng, range.HueMin, range.HueMax);
            double s = Uniform(rng, range.SaturationMin, range.SaturationMax);
            double v = Uniform(rng, range.ValueMin, range.ValueMax);
            var (r, g, b) = HsvToRgb(h, s, v);
            source.Image(rows[i], mask);
            var img = pixels.AsSpan(i * imageBytes, imageBytes);
            for (int p = 0; p < mask.Length; p++)
                if (mask[p] != 0) { img[3 * p] = r; img[3 * p + 1] = g; img[3 * p + 2] = b; }

            source.Factors.Values(rows[i], sourceValues);
            source.Factors.Classes(rows[i], sourceClasses);
            var rowValues = values.AsSpan(i * f, f);
            var rowClasses = classes.AsSpan(i * f, f);
            sourceValues[1..].CopyTo(rowValues);
            sourceClasses[1..].CopyTo(rowClasses);
            rowValues[5] = h; rowValues[6] = s; rowValues[7] = v;
            rowClasses[5] = HsvRange.Bin(h, range.HueMin, range.HueMax);
            rowClasses[6] = HsvRange.Bin(s, range.SaturationMin, range.SaturationMax);
            rowClasses[7] = HsvRange.Bin(v, range.ValueMin, range.ValueMax);
        }
        return new ImageDataset(n, side, side, 3, pixels, (string[])FactorNames.Clone(), values, classes);
    }

    /// <summary>HSV in [0, 1]³ to 8-bit RGB (the usual hexcone model, as Python's colorsys).</summary>
    public static (byte R, byte G, byte B) HsvToRgb(double h, double s, double v)
    {
        double hh = (h - Math.Floor(h)) * 6;
        int sector = Math.Min((int)hh, 5);
        double frac = hh - sector;
        double p = v * (1 - s), q = v * (1 - s * frac), t = v * (1 - s * (1 - frac));
        var (r, g, b) = sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
        return (ToByte(r), ToByte(g), ToByte(b));
    }

    static byte ToByte(double c) => (byte)Math.Round(Math.Clamp(c, 0, 1) * 255);

    static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
}
