using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>
/// Turns a model image — float[] laid out (3, H, W), channels first, nominally in [0, 1] —
/// into a Skia image. Values are clamped (decoders overshoot) and NaN becomes black.
/// </summary>
internal static class Raster
{
    public static SKImage ToImage(float[] chw, int size)
    {
        Check(chw, size, "image");
        int plane = size * size;
        var rgba = new byte[plane * 4];
        for (int p = 0; p < plane; p++)
        {
            rgba[4 * p] = ToByte(chw[p]);
            rgba[4 * p + 1] = ToByte(chw[plane + p]);
            rgba[4 * p + 2] = ToByte(chw[2 * plane + p]);
            rgba[4 * p + 3] = 255;
        }
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        return SKImage.FromPixelCopy(info, rgba, info.RowBytes);
    }

    /// <summary>Draws the image with its top-left at (x, y), upscaled by pixel repetition.</summary>
    public static void Draw(SKCanvas canvas, float[] chw, int size, int scale, float x, float y)
    {
        using SKImage image = ToImage(chw, size);
        var dest = SKRect.Create(x, y, size * scale, size * scale);
        canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
    }

    public static byte ToByte(float v) =>
        float.IsNaN(v) ? (byte)0 : (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);

    public static void Check(float[] chw, int size, string what)
    {
        ArgumentNullException.ThrowIfNull(chw, what);
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "image size must be positive");
        if (chw.Length != 3 * size * size)
            throw new ArgumentException($"{what} has {chw.Length} values; a (3, {size}, {size}) image needs {3 * size * size}");
    }

    /// <summary>Scale 0 means automatic: enlarge small images until a cell is at least 64 px.</summary>
    public static int ResolveScale(int scale, int size)
    {
        if (scale < 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be ≥ 0");
        return scale > 0 ? scale : Math.Max(1, (64 + size - 1) / size);
    }
}
