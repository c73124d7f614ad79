using ScottPlot;

namespace Sbvae.Figures;

/// <summary>One bar: a configuration's mean over seeds and its standard deviation (NaN = no error bar).</summary>
public sealed record BarValue(string Label, double Mean, double Sd);

/// <summary>One panel of bars: a quantity (final reconstruction, a metric) per configuration.</summary>
public sealed record BarPanel(string Title, IReadOnlyList<BarValue> Bars);

/// <summary>Bar charts with error bars of a sweep's configurations, one panel per quantity, up to three panels a row.</summary>
public static class SweepBarsFigure
{
    const int MinPanelWidth = 520, Height = 440, Columns = 3;
    const int PixelsPerChar = 8, AxisSpace = 90, LinePixels = 18;

    public static void Save(string pngPath, IReadOnlyList<BarPanel> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("no panels to draw", nameof(panels));
        var plots = panels.Select(Panel).ToList();
        // Each label sits under its bar, one setting a line: the panel is as wide as its bars' labels need.
        int longest = panels.SelectMany(p => p.Bars).Select(b => Lines(b.Label).Max(l => l.Length)).DefaultIfEmpty(0).Max();
        int bars = panels.Max(p => p.Bars.Count);
        int panelWidth = Math.Max(MinPanelWidth, AxisSpace + bars * (longest + 2) * PixelsPerChar);
        int columns = Math.Min(Columns, plots.Count), rows = (plots.Count + Columns - 1) / Columns;
        using var surface = Drawing.NewSurface(columns * panelWidth, rows * Height);
        for (int r = 0; r < rows; r++)
            Plots.RenderRow(surface.Canvas, plots.Skip(r * Columns).Take(Columns).ToList(), panelWidth, Height, r * Height);
        Drawing.SavePng(pngPath, surface);
    }

    /// <summary>A configuration label ("decoder=sbd,beta=4") as its settings, one a line.</summary>
    static string[] Lines(string label) => label.Split(',');

    static Plot Panel(BarPanel panel)
    {
        Plot plot = Plots.New(panel.Title, "", "mean ± sd over seeds");
        var palette = new ScottPlot.Palettes.Category10();
        var bars = panel.Bars.Select((b, i) => new Bar
        {
            Position = i,
            Value = double.IsFinite(b.Mean) ? b.Mean : 0,
            Error = double.IsFinite(b.Sd) ? b.Sd : 0,
            FillColor = palette.GetColor(i),
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), panel.Bars.Select(b => string.Join('\n', Lines(b.Label))).ToArray());
        int lineCount = panel.Bars.Select(b => Lines(b.Label).Length).DefaultIfEmpty(1).Max();
        plot.Axes.Bottom.MinimumSize = 20 + lineCount * LinePixels;
        plot.Axes.Margins(bottom: 0);
        return plot;
    }
}
