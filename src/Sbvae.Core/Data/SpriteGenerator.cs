namespace Sbvae.Data;

/// <summary>
/// Renders every combination of a <see cref="SpriteSpec"/>'s factors, in the reference
/// order: x outermost, then y, shape, size, colour innermost.
/// </summary>
public static class SpriteGenerator
{
    public static readonly string[] FactorNames = ["x", "y", "shape", "size", "color"];

    public static ImageDataset Generate(SpriteSpec spec)
    {
        spec.Validate();
        int n = (int)spec.Count, side = spec.ImgSize, imageBytes = side * side * 3, f = FactorNames.Length;
        double[] pos = Linspace(spec.NumPos);
        var colors = spec.Colors.Select(CssColors.Parse).ToArray();
        var pixels = new byte[(long)n * imageBytes];
        var values = new double[n * f];
        var classes = new long[n * f];
        var image = new byte[imageBytes];
        int row = 0;
        for (int xi = 0; xi < spec.NumPos; xi++)
        for (int yi = 0; yi < spec.NumPos; yi++)
        for (int si = 0; si < spec.Shapes.Count; si++)
        for (int zi = 0; zi < spec.Sizes.Count; zi++)
        for (int ci = 0; ci < colors.Length; ci++)
        {
            Array.Clear(image);
            SpriteRasterizer.Draw(image, side, spec.Shapes[si], spec.Sizes[zi], pos[xi], pos[yi], colors[ci]);
            image.CopyTo(pixels, (long)row * imageBytes);
            // Values: positions in [0, 1], size in pixels; shape and colour are categorical, so their index.
            double[] v = [pos[xi], pos[yi], si, spec.Sizes[zi], ci];
            long[] c = [xi, yi, si, zi, ci];
            v.CopyTo(values, row * f);
            c.CopyTo(classes, row * f);
            row++;
        }
        return new ImageDataset(n, side, side, 3, pixels, (string[])FactorNames.Clone(), values, classes);
    }

    /// <summary>Renders one image (cleared to black first) from factor class indices.</summary>
    public static void Render(byte[] hwc, SpriteSpec spec, int xi, int yi, int shapeIndex, int sizeIndex, int colorIndex)
    {
        CheckIndex(xi, spec.NumPos, "x");
        CheckIndex(yi, spec.NumPos, "y");
        CheckIndex(shapeIndex, spec.Shapes.Count, "shape");
        CheckIndex(sizeIndex, spec.Sizes.Count, "size");
        CheckIndex(colorIndex, spec.Colors.Count, "colour");
        Array.Clear(hwc);
        double[] pos = Linspace(spec.NumPos);
        SpriteRasterizer.Draw(hwc, spec.ImgSize, spec.Shapes[shapeIndex], spec.Sizes[sizeIndex], pos[xi], pos[yi],
            CssColors.Parse(spec.Colors[colorIndex]));
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
