using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class LossCurvesFigureTests
{
    // ScottPlot's Category10 palette: the first two models' line colours.
    static readonly SKColor Blue = SKColor.Parse("#1f77b4"), Orange = SKColor.Parse("#ff7f0e");

    static double[] Decay(int n, double start, double end, double rate) =>
        [.. Enumerable.Range(0, n).Select(e => end + (start - end) * Math.Exp(-rate * e))];

    [Fact]
    public void Two_panels_with_one_coloured_line_per_model()
    {
        LossHistory[] models =
        [
            new("spatial broadcast", Decay(40, 300, 25, 0.15), Decay(40, 4000, 180, 0.2)),
            new("deconv", Decay(40, 200, 30, 0.1), Decay(40, 4000, 260, 0.12)),
        ];
        string path = Path.Combine(Synthetic.SampleDir, "loss_curves.png");
        LossCurvesFigure.Save(path, models);

        using SKBitmap bmp = Synthetic.DecodeFile(path);
        Assert.Equal((1200, 500), (bmp.Width, bmp.Height));
        var left = new SKRectI(0, 0, 600, 500);
        var right = new SKRectI(600, 0, 1200, 500);
        foreach (SKRectI panel in new[] { left, right })
        {
            Assert.True(Synthetic.CountNear(bmp, panel, Blue) > 200, "first model's line missing from a panel");
            Assert.True(Synthetic.CountNear(bmp, panel, Orange) > 200, "second model's line missing from a panel");
        }
        Assert.True(Synthetic.DistinctColours(bmp) > 20);
    }

    [Fact]
    public void Values_that_cannot_sit_on_a_log_axis_are_skipped()
    {
        LossHistory[] models = [new("m", [0, -1, double.NaN, 5, 4, 3], [10, 9, double.PositiveInfinity, 7, 6, 5])];
        string path = Path.Combine(Path.GetTempPath(), $"sbvae-loss-{Guid.NewGuid():N}.png");
        try
        {
            LossCurvesFigure.Save(path, models);
            using SKBitmap bmp = Synthetic.DecodeFile(path);
            Assert.Equal(1200, bmp.Width);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void No_models_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => LossCurvesFigure.Save(Path.Combine(Path.GetTempPath(), "never.png"), []));
    }

    [Fact]
    public void LegendSitsInTheCornerTheCurvesEndAwayFrom()
    {
        // KL rises from 1 to ≈12 and ends high: legend below. Reconstruction falls from 270 to ≈6: legend above.
        Assert.Equal(ScottPlot.Alignment.LowerRight, LossCurvesFigure.LegendCorner([Math.Log10(12.7), Math.Log10(11.5)], 1.0, 14.0));
        Assert.Equal(ScottPlot.Alignment.UpperRight, LossCurvesFigure.LegendCorner([Math.Log10(8.4), Math.Log10(5.2)], 5.0, 270.0));
        Assert.Equal(ScottPlot.Alignment.UpperRight, LossCurvesFigure.LegendCorner([], double.PositiveInfinity, double.NegativeInfinity));
    }

    [Fact]
    public void ManyConfigurationsGetDistinctLinesAndOneLegendBesideThePanels()
    {
        var styles = Enumerable.Range(0, 40).Select(LossCurvesFigure.Style).ToList();
        Assert.Equal(40, styles.Distinct().Count());

        var models = Enumerable.Range(0, 12).Select(i => new LossHistory($"object_size={i + 1},decoder=sbd", Decay(20, 30 + i, 5 + i, 0.2), Decay(20, 900, 40 + i, 0.3))).ToList();
        string path = Path.Combine(Synthetic.SampleDir, "loss_curves_many.png");
        LossCurvesFigure.Save(path, models);
        using SKBitmap bmp = Synthetic.DecodeFile(path);
        Assert.True(bmp.Width > 1250, $"no room for a legend beside the panels: {bmp.Width} px wide");
        // The legend's text stands right of both panels; inside the KL panel there is none (only lines and axes).
        var legend = new SKRectI(1200, 0, bmp.Width, bmp.Height);
        int text = 0;
        for (int y = legend.Top; y < legend.Bottom; y++)
            for (int x = legend.Left; x < legend.Right; x++)
                if (bmp.GetPixel(x, y) is var c && c.Red + c.Green + c.Blue < 3 * 100) text++;
        Assert.True(text > 12 * 100, $"{text} dark pixels right of the panels: no legend there");

        var few = models.Take(3).ToList();
        LossCurvesFigure.Save(path, few);
        using SKBitmap small = Synthetic.DecodeFile(path);
        Assert.Equal((1200, 500), (small.Width, small.Height));
    }
}
