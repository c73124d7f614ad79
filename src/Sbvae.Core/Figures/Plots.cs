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
    public static void RenderRow(SKCanvas canvas, IReadOnlyList<Plot> plots, int panelWidth, int height, int top = 0)
    {
        // Each plot gets its own surface: ScottPlot clears the whole canvas it is given.
        for (int i = 0; i < plots.Count; i++)
        {
            using SKSurface panel = Drawing.NewSurface(panelWidth, height);
            plots[i].Render(panel.Canvas, panelWidth, height);
            using SKImage image = panel.Snapshot();
            canvas.DrawImage(image, i * panelWidth, top);
        }
    }

    /// <summary>Saves plots side by side as one PNG.</summary>
    public static void SaveRow(string pngPath, IReadOnlyList<Plot> plots, int panelWidth, int height)
    {
        using SKSurface surface = Drawing.NewSurface(plots.Count * panelWidth, height);
        RenderRow(surface.Canvas, plots, panelWidth, height);
        Drawing.SavePng(pngPath, surface);
    }

    public static Color Rgb(int r, int g, int b) => new((byte)r, (byte)g, (byte)b);
}
