using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>Canvas chores shared by the hand-drawn figures: surfaces, text, PNG output.</summary>
internal static class Drawing
{
    public static readonly SKColor Ink = new(0x20, 0x20, 0x20);

    /// <summary>An RGBA surface cleared to white, so pixel bytes read back in a known order.</summary>
    public static SKSurface NewSurface(int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        SKSurface surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"cannot allocate a {width}×{height} drawing surface");
        surface.Canvas.Clear(SKColors.White);
        return surface;
    }

    public static byte[] EncodePng(SKSurface surface)
    {
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static void SavePng(string path, SKSurface surface) =>
        AtomicFile.WriteAllBytes(path, EncodePng(surface));

    /// <summary>Draws text whose baseline sits at y; align picks what x means.</summary>
    public static void Text(SKCanvas canvas, string text, float x, float y, SKFont font,
                            SKTextAlign align = SKTextAlign.Left, SKColor? color = null)
    {
        using var paint = new SKPaint { Color = color ?? Ink, IsAntialias = true };
        canvas.DrawText(text, x, y, align, font, paint);
    }

    /// <summary>Draws text centred on (cx, cy), both horizontally and vertically.</summary>
    public static void TextCentred(SKCanvas canvas, string text, float cx, float cy, SKFont font)
    {
        font.MeasureText(text, out SKRect bounds);
        Text(canvas, text, cx, cy - bounds.MidY, font, SKTextAlign.Center);
    }

    /// <summary>Draws text right-aligned at x and centred vertically on cy (row labels).</summary>
    public static void TextRightMiddle(SKCanvas canvas, string text, float x, float cy, SKFont font)
    {
        font.MeasureText(text, out SKRect bounds);
        Text(canvas, text, x, cy - bounds.MidY, font, SKTextAlign.Right);
    }

    public static float Width(SKFont font, IEnumerable<string> texts) =>
        texts.Select(t => font.MeasureText(t)).DefaultIfEmpty(0f).Max();

    /// <summary>Formats a sweep value with a typographic minus, e.g. "−1.33", "0", "+2".</summary>
    public static string Signed(double v) =>
        Math.Abs(v) < 5e-3 ? "0"
        : (v > 0 ? "+" : "\u2212") + Math.Abs(v).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
