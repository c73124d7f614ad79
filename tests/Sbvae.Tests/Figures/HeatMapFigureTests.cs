using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class HeatMapFigureTests
{
    static bool Yellow(SKColor c) => c.Red > 200 && c.Green > 190 && c.Blue < 110;
    static bool Purple(SKColor c) => c.Red < 110 && c.Green < 60 && c.Blue > 60;

    [Fact]
    public void Row_zero_is_drawn_at_the_bottom_with_a_colour_bar()
    {
        var values = new double[2, 5];
        for (int c = 0; c < 5; c++) values[0, c] = 1; // row 0 high, row 1 low
        string path = Path.Combine(Path.GetTempPath(), $"sbvae-heat-{Guid.NewGuid():N}.png");
        try
        {
            HeatMapFigure.Save(path, values, "t", "x", "y");
            using SKBitmap bmp = Synthetic.DecodeFile(path);
            Assert.Equal((640, 540), (bmp.Width, bmp.Height));
            int half = bmp.Height / 2;
            (int yTop, int yBottom, int pTop, int pBottom) = (0, 0, 0, 0);
            for (int y = 0; y < bmp.Height; y++)
                for (int x = 0; x < bmp.Width; x++)
                {
                    SKColor p = bmp.GetPixel(x, y);
                    if (Yellow(p)) { if (y < half) yTop++; else yBottom++; }
                    if (Purple(p)) { if (y < half) pTop++; else pBottom++; }
                }
            Assert.True(yBottom > 10 * Math.Max(1, yTop), $"high values: {yTop} px in the top half, {yBottom} in the bottom");
            Assert.True(pTop > 10 * Math.Max(1, pBottom), $"low values: {pTop} px in the top half, {pBottom} in the bottom");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Sample_error_map_renders_a_gradient()
    {
        var values = new double[24, 24];
        for (int r = 0; r < 24; r++)
            for (int c = 0; c < 24; c++)
                values[r, c] = 20 + 30 * Math.Exp(-((r - 4) * (r - 4) + (c - 18) * (c - 18)) / 40.0) + r * 0.5;
        string path = Path.Combine(Synthetic.SampleDir, "heat_map.png");
        HeatMapFigure.Save(path, values, "reconstruction error over object position", "x", "y", (0, 1), (0, 1));
        using SKBitmap bmp = Synthetic.DecodeFile(path);
        Assert.True(Synthetic.DistinctColours(bmp) > 100);
    }
}
