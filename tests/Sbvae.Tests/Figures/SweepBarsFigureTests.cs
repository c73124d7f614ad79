using Sbvae.Figures;
using SkiaSharp;

namespace Sbvae.Tests.Figures;

/// <summary>The sweep summary's bar chart: its configuration labels readable, inside the figure.</summary>
public class SweepBarsFigureTests
{
    static bool Dark(SKColor c) => c.Red + c.Green + c.Blue < 3 * 160;

    [Fact]
    public void LongConfigurationLabelsStayInsideTheFigure()
    {
        string dir = TestData.TempDir("bars");
        string png = Path.Combine(dir, "bars.png");
        string[] labels = ["decoder=deconv,precision=fp32,beta=4", "decoder=deconv,precision=bf16,beta=4",
            "decoder=sbd,precision=fp32,beta=4", "decoder=sbd,precision=bf16,beta=4", "decoder=sbd,precision=bf16,beta=16"];
        SweepBarsFigure.Save(png, [new BarPanel("final reconstruction", [.. labels.Select((l, i) => new BarValue(l, 10 + i, 1))])]);
        using var bmp = Synthetic.DecodeFile(png);
        // The labels are drawn below the x axis (the lowest row that is mostly dark) and its ticks.
        int axis = Enumerable.Range(0, bmp.Height).Last(y => Enumerable.Range(0, bmp.Width).Count(x => Dark(bmp.GetPixel(x, y))) > bmp.Width / 2);
        int labelTop = axis + 8;
        int textPixels = 0;
        for (int y = labelTop; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
                if (Dark(bmp.GetPixel(x, y))) textPixels++;
        Assert.True(textPixels > 200, $"no labels drawn ({textPixels} dark pixels below the bars)");
        for (int y = 0; y < bmp.Height; y++)
            for (int x = bmp.Width - 3; x < bmp.Width; x++)
                Assert.False(Dark(bmp.GetPixel(x, y)), $"a label runs off the right edge at ({x}, {y})");
        // Each label is a block of columns with text, apart from its neighbours: overlapping labels would merge.
        var inked = Enumerable.Range(0, bmp.Width).Select(x => Enumerable.Range(labelTop, bmp.Height - labelTop).Any(y => Dark(bmp.GetPixel(x, y)))).ToArray();
        var starts = new List<int>();
        int blank = inked.Length; // as if blank before the first column
        for (int x = 0; x < inked.Length; x++)
        {
            if (inked[x] && blank >= 10) starts.Add(x);
            blank = inked[x] ? 0 : blank + 1;
        }
        Assert.True(starts.Count == labels.Length, $"{starts.Count} separate labels, starting at x = {string.Join(", ", starts)} (axis at y = {axis})");
    }

    [Fact]
    public void ManyConfigurationsLieDownOneLabelALine()
    {
        string png = Path.Combine(TestData.TempDir("bars-lying"), "bars.png");
        string[] labels = [.. from size in new[] { 2, 3, 4, 6, 8, 12 } from v in new[] { "0.3", "0.03", "1" } from d in new[] { "deconv", "sbd" }
                              select $"variance={v},object_size={size},decoder={d}"];
        Assert.True(SweepBarsFigure.Lying(labels.Length));
        Assert.False(SweepBarsFigure.Lying(12));
        SweepBarsFigure.Save(png, [new BarPanel("probe_r2", [.. labels.Select((l, i) => new BarValue(l, 0.1 + i / 40.0, 0.01))])]);
        using var bmp = Synthetic.DecodeFile(png);
        // One panel stays about a page wide, however many configurations, and grows downwards instead.
        Assert.InRange(bmp.Width, 500, 1200);
        Assert.True(bmp.Height >= labels.Length * 20, $"{bmp.Height} px tall for {labels.Length} bars");
        // The labels sit left of the y axis (the leftmost column that is mostly dark), one text line per bar.
        int axis = Enumerable.Range(0, bmp.Width).First(x => Enumerable.Range(0, bmp.Height).Count(y => Dark(bmp.GetPixel(x, y))) > bmp.Height / 2);
        var inked = Enumerable.Range(0, bmp.Height).Select(y => Enumerable.Range(0, axis - 8).Any(x => Dark(bmp.GetPixel(x, y)))).ToArray();
        int lines = 0, blank = inked.Length;
        for (int y = 0; y < inked.Length; y++)
        {
            if (inked[y] && blank >= 3) lines++;
            blank = inked[y] ? 0 : blank + 1;
        }
        // The axis title ("mean ± sd over seeds") is below the axis, right of it; the panel title is above, centred on the bars.
        Assert.True(lines == labels.Length, $"{lines} text lines left of the axis at x = {axis}, expected one per bar ({labels.Length})");
        for (int y = 0; y < bmp.Height; y++)
            Assert.False(Dark(bmp.GetPixel(0, y)), $"a label runs off the left edge at y = {y}");
    }
}
