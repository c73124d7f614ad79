using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>
/// A plain grid of images, filled row by row: dataset previews, or inputs over their
/// reconstructions (pass the inputs as the first row, then the reconstructions).
/// Cells are <see cref="Gap"/> px apart with a <see cref="Gap"/> px white border; row
/// labels, when given, sit in a column to the left sized to the longest label.
/// </summary>
public static class ImageGrid
{
    public const int Gap = 2;
    const float LabelSize = 14f;

    public static void SavePng(string pngPath, IReadOnlyList<float[]> images, int imageSize, int columns,
                               int scale = 1, IReadOnlyList<string>? rowLabels = null) =>
        AtomicFile.WriteAllBytes(pngPath, EncodePng(images, imageSize, columns, scale, rowLabels));

    public static byte[] EncodePng(IReadOnlyList<float[]> images, int imageSize, int columns,
                                   int scale = 1, IReadOnlyList<string>? rowLabels = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("no images to draw", nameof(images));
        if (columns <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "need at least one column");
        if (scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive");
        for (int i = 0; i < images.Count; i++) Raster.Check(images[i], imageSize, $"image {i}");

        int rows = (images.Count + columns - 1) / columns;
        int cell = imageSize * scale;
        using SKFont font = Fonts.Regular(LabelSize);
        int labelWidth = rowLabels is { Count: > 0 } ? (int)MathF.Ceiling(Drawing.Width(font, rowLabels)) + 10 : 0;

        using SKSurface surface = Drawing.NewSurface(
            labelWidth + columns * cell + (columns + 1) * Gap,
            rows * cell + (rows + 1) * Gap);
        SKCanvas canvas = surface.Canvas;
        for (int i = 0; i < images.Count; i++)
        {
            int r = i / columns, c = i % columns;
            Raster.Draw(canvas, images[i], imageSize, scale, labelWidth + Gap + c * (cell + Gap), Gap + r * (cell + Gap));
        }
        for (int r = 0; r < Math.Min(rows, rowLabels?.Count ?? 0); r++)
            Drawing.TextRightMiddle(canvas, rowLabels![r], labelWidth - 4, Gap + r * (cell + Gap) + cell / 2f, font);
        return Drawing.EncodePng(surface);
    }
}
