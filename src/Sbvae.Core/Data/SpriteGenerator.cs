namespace Sbvae.Data;

/// <summary>
/// Renders a <see cref="SpriteSpec"/>'s factors: by default every combination, in the reference
/// order (x outermost, then y, shape, size, colour, rotation innermost); with Samples = N,
/// N rows whose factor classes are drawn uniformly and independently from a seeded generator.
/// </summary>
public static class SpriteGenerator
{
    /// <summary>The factors of every sprite dataset; `rotation` follows them when the spec varies it.</summary>
    public static readonly string[] FactorNames = ["x", "y", "shape", "size", "color"];
    public const string RotationFactor = "rotation";

    public static string[] FactorNamesFor(SpriteSpec spec) =>
        spec.HasRotationFactor ? [.. FactorNames, RotationFactor] : (string[])FactorNames.Clone();

    public static ImageDataset Generate(SpriteSpec spec)
    {
        spec.Validate();
        string[] names = FactorNamesFor(spec);
        int n = (int)spec.Count, side = spec.ImgSize, imageBytes = side * side * 3, f = names.Length;
        double[] pos = Linspace(spec.NumPos);
        var colors = spec.Colors.Select(CssColors.Parse).ToArray();
        var pixels = new byte[(long)n * imageBytes];
        var values = new double[n * f];
        var classes = new long[n * f];
        var image = new byte[imageBytes];
        int row = 0;
        foreach (var (xi, yi, si, zi, ci, ri) in spec.Samples > 0 ? Sampled(spec) : Grid(spec))
        {
            Array.Clear(image);
            SpriteRasterizer.Draw(image, side, spec.Shapes[si], spec.Sizes[zi], pos[xi], pos[yi], colors[ci], spec.Rotations[ri]);
            image.CopyTo(pixels, (long)row * imageBytes);
            // Values: positions in [0, 1], size in pixels, rotation in degrees; shape and colour are categorical, so their index.
            double[] v = [pos[xi], pos[yi], si, spec.Sizes[zi], ci, spec.Rotations[ri]];
            long[] c = [xi, yi, si, zi, ci, ri];
            v.AsSpan(0, f).CopyTo(values.AsSpan(row * f));
            c.AsSpan(0, f).CopyTo(classes.AsSpan(row * f));
            row++;
        }
        return new ImageDataset(n, side, side, 3, pixels, names, values, classes);
    }

    static IEnumerable<(int X, int Y, int Shape, int Size, int Color, int Rotation)> Grid(SpriteSpec spec)
    {
        for (int xi = 0; xi < spec.NumPos; xi++)
        for (int yi = 0; yi < spec.NumPos; yi++)
        for (int si = 0; si < spec.Shapes.Count; si++)
        for (int zi = 0; zi < spec.Sizes.Count; zi++)
        for (int ci = 0; ci < spec.Colors.Count; ci++)
        for (int ri = 0; ri < spec.Rotations.Count; ri++)
            yield return (xi, yi, si, zi, ci, ri);
    }

    static IEnumerable<(int X, int Y, int Shape, int Size, int Color, int Rotation)> Sampled(SpriteSpec spec)
    {
        // System.Random with a seed is a fixed algorithm, so a seed names one dataset across runs and machines.
        var rng = new Random(spec.SampleSeed);
        for (int i = 0; i < spec.Samples; i++)
            yield return (rng.Next(spec.NumPos), rng.Next(spec.NumPos), rng.Next(spec.Shapes.Count),
                rng.Next(spec.Sizes.Count), rng.Next(spec.Colors.Count), rng.Next(spec.Rotations.Count));
    }

    /// <summary>Renders one image (cleared to black first) from factor class indices.</summary>
    public static void Render(byte[] hwc, SpriteSpec spec, int xi, int yi, int shapeIndex, int sizeIndex, int colorIndex,
        int rotationIndex = 0)
    {
        CheckIndex(xi, spec.NumPos, "x");
        CheckIndex(yi, spec.NumPos, "y");
        CheckIndex(shapeIndex, spec.Shapes.Count, "shape");
        CheckIndex(sizeIndex, spec.Sizes.Count, "size");
        CheckIndex(colorIndex, spec.Colors.Count, "colour");
        CheckIndex(rotationIndex, spec.Rotations.Count, "rotation");
        Array.Clear(hwc);
        double[] pos = Linspace(spec.NumPos);
        SpriteRasterizer.Draw(hwc, spec.ImgSize, spec.Shapes[shapeIndex], spec.Sizes[sizeIndex], pos[xi], pos[yi],
            CssColors.Parse(spec.Colors[colorIndex]), spec.Rotations[rotationIndex]);
    }

    /// <summary>numpy.linspace(0, 1, n): i · (1 / (n − 1)) with the last value exactly 1; [0] for n = 1.</summary>
    public static double[] Linspace(int n)
    {
        var r = new double[n];
        if (n == 1) return r;
        double step = 1.0 / (n - 1);
        for (int i = 0; i < n; i++) r[i] = i * step;
        r[n - 1] = 1.0;
        return r;
    }

    static void CheckIndex(int i, int count, string factor)
    {
        if (i < 0 || i >= count)
            throw new ArgumentOutOfRangeException(factor, $"{factor} index {i} is outside 0..{count - 1}");
    }
}
