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
}
