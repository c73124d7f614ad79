using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class ImageGridTests
{
    const int Size = 16;

    static float[][] Flats(int n) =>
        Enumerable.Range(0, n).Select(i => Synthetic.Flat(Size, Synthetic.Hue(i / (double)n))).ToArray();

    [Fact]
    public void Cells_land_row_by_row_at_documented_offsets()
    {
        float[][] images = Flats(7);
        const int cols = 4, scale = 3, cell = Size * scale, gap = ImageGrid.Gap;
        using SKBitmap bmp = Synthetic.Decode(ImageGrid.EncodePng(images, Size, cols, scale));

        Assert.Equal(cols * cell + (cols + 1) * gap, bmp.Width);
        Assert.Equal(2 * cell + 3 * gap, bmp.Height);
        for (int i = 0; i < images.Length; i++)
        {
            int x = gap + (i % cols) * (cell + gap), y = gap + (i / cols) * (cell + gap);
            SKColor expected = Synthetic.ToColor(Synthetic.Hue(i / 7.0));
            Assert.Equal(expected, bmp.GetPixel(x, y));
            Assert.Equal(expected, bmp.GetPixel(x + cell - 1, y + cell - 1));
        }
        // The eighth cell is empty: background, not a stale image.
        Assert.Equal(SKColors.White, bmp.GetPixel(gap + 3 * (cell + gap) + cell / 2, gap + cell + gap + cell / 2));
    }

    [Fact]
    public void Values_outside_unit_range_are_clamped()
    {
        var img = Synthetic.Flat(Size, (2f, -1f, 0.5f));
        using SKBitmap bmp = Synthetic.Decode(ImageGrid.EncodePng([img], Size, 1));
        Assert.Equal(new SKColor(255, 0, 128), bmp.GetPixel(ImageGrid.Gap + 5, ImageGrid.Gap + 5));
    }

    [Fact]
    public void Row_labels_add_a_column_of_visible_text()
    {
        float[][] images = Flats(8);
        const int cols = 4, scale = 4;
        int plainWidth = cols * Size * scale + (cols + 1) * ImageGrid.Gap;
        string path = Path.Combine(Synthetic.SampleDir, "image_grid.png");
        ImageGrid.SavePng(path, images, Size, cols, scale, ["input", "recons"]);

        using SKBitmap bmp = Synthetic.DecodeFile(path);
        int labelWidth = bmp.Width - plainWidth;
        Assert.InRange(labelWidth, 30, 120);
        int rowHeight = Size * scale + ImageGrid.Gap;
        Assert.True(Synthetic.Ink(bmp, new SKRectI(0, 0, labelWidth, rowHeight)) > 20, "first label not drawn");
        Assert.True(Synthetic.Ink(bmp, new SKRectI(0, rowHeight, labelWidth, 2 * rowHeight)) > 20, "second label not drawn");
        Assert.Equal(Synthetic.ToColor(Synthetic.Hue(0)), bmp.GetPixel(labelWidth + ImageGrid.Gap + 1, ImageGrid.Gap + 1));
    }

    [Fact]
    public void Wrong_image_length_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => ImageGrid.EncodePng([new float[3 * Size * Size - 1]], Size, 1));
    }
}
