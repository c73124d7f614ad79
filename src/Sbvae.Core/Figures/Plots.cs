using ScottPlot;
using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>ScottPlot set-up shared by the plotted figures, and side-by-side composition.</summary>
internal static class Plots
{
    public static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(Fonts.Family);
        plot.Title(title, size: 15);
        plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
        return plot;
    }

    /// <summary>Renders the plots left to right, each panelWidth × height, starting at (0, top).</summary>
    public static void RenderRow(SKCanvas canvas, IReadOnlyList<Plot> plots, int panelWidth, int height, int top = 0) =>
        RenderRow(canvas, plots, [.. plots.Select(_ => panelWidth)], height, top);

    /// <summary>Renders the plots left to right, plot i widths[i] wide, starting at (0, top).</summary>
    public static void RenderRow(SKCanvas canvas, IReadOnlyList<Plot> plots, IReadOnlyList<int> widths, int height, int top = 0)
    {
        // Each plot gets its own surface: ScottPlot clears the whole canvas it is given.
        for (int i = 0, left = 0; i < plots.Count; left += widths[i], i++)
        {
            using SKSurface panel = Drawing.NewSurface(widths[i], height);
            plots[i].Render(panel.Canvas, widths[i], height);
            using SKImage image = panel.Snapshot();
            canvas.DrawImage(image, left, top);
        }
    }

    /// <summary>Saves plots side by side as one PNG.</summary>
    public static void SaveRow(string pngPath, IReadOnlyList<Plot> plots, int panelWidth, int height) =>
        SaveRow(pngPath, plots, [.. plots.Select(_ => panelWidth)], height);

    /// <summary>Saves plots side by side as one PNG, plot i widths[i] wide.</summary>
    public static void SaveRow(string pngPath, IReadOnlyList<Plot> plots, IReadOnlyList<int> widths, int height)
    {
        using SKSurface surface = Drawing.NewSurface(widths.Sum(), height);
        RenderRow(surface.Canvas, plots, widths, height);
        Drawing.SavePng(pngPath, surface);
    }

    public static Color Rgb(int r, int g, int b) => new((byte)r, (byte)g, (byte)b);
}
