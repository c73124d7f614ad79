using ScottPlot;

namespace Sbvae.Figures;

/// <summary>One bar: a configuration's mean over seeds and its standard deviation (NaN = no error bar).</summary>
public sealed record BarValue(string Label, double Mean, double Sd);

/// <summary>One panel of bars: a quantity (final reconstruction, a metric) per configuration.</summary>
public sealed record BarPanel(string Title, IReadOnlyList<BarValue> Bars);

/// <summary>
/// Bar charts with error bars of a sweep's configurations, one panel per quantity, up to three panels a row.
/// Up to a dozen bars stand side by side with their labels below; more lie down, one configuration a line,
/// so that a large sweep's figure stays as wide as a page instead of growing with the number of bars.
/// </summary>
public static class SweepBarsFigure
{
    const int MinPanelWidth = 520, Height = 440, Columns = 3, MaxUpright = 12;
    const int PixelsPerChar = 8, AxisSpace = 90, LinePixels = 18;
    const int BarsWidth = 380, RowPixels = 22, TitleSpace = 90, LyingPixelsPerChar = 7;

    public static void Save(string pngPath, IReadOnlyList<BarPanel> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("no panels to draw", nameof(panels));
        int bars = panels.Max(p => p.Bars.Count);
        bool lying = Lying(bars);
        var plots = panels.Select(p => Panel(p, lying)).ToList();
        int panelWidth, height;
        if (lying)
        {
            // Each label sits left of its bar on one line: the panel is as wide as the longest label needs.
            int longest = panels.SelectMany(p => p.Bars).Max(b => b.Label.Length);
            (panelWidth, height) = (AxisSpace + longest * LyingPixelsPerChar + BarsWidth, TitleSpace + bars * RowPixels);
        }
        else
        {
            // Each label sits under its bar, one setting a line: the panel is as wide as its bars' labels need.
            int longest = panels.SelectMany(p => p.Bars).Select(b => Lines(b.Label).Max(l => l.Length)).DefaultIfEmpty(0).Max();
            (panelWidth, height) = (Math.Max(MinPanelWidth, AxisSpace + bars * (longest + 2) * PixelsPerChar), Height);
        }
        int columns = Math.Min(Columns, plots.Count), rows = (plots.Count + Columns - 1) / Columns;
        using var surface = Drawing.NewSurface(columns * panelWidth, rows * height);
        for (int r = 0; r < rows; r++)
            Plots.RenderRow(surface.Canvas, plots.Skip(r * Columns).Take(Columns).ToList(), panelWidth, height, r * height);
        Drawing.SavePng(pngPath, surface);
    }

    /// <summary>Whether panels of this many bars lie down.</summary>
    public static bool Lying(int bars) => bars > MaxUpright;

    /// <summary>A configuration label ("decoder=sbd,beta=4") as its settings, one a line.</summary>
    static string[] Lines(string label) => label.Split(',');

    static Plot Panel(BarPanel panel, bool lying)
    {
        Plot plot = Plots.New(panel.Title, lying ? "mean ± sd over seeds" : "", lying ? "" : "mean ± sd over seeds");
        var palette = new ScottPlot.Palettes.Category10();
        int n = panel.Bars.Count;
        // Lying, the first configuration is the top bar, so the figure reads like the summary table.
        double At(int i) => lying ? n - 1 - i : i;
        var bars = panel.Bars.Select((b, i) => new Bar
        {
            Position = At(i),
            Value = double.IsFinite(b.Mean) ? b.Mean : 0,
            Error = double.IsFinite(b.Sd) ? b.Sd : 0,
            FillColor = palette.GetColor(i),
        }).ToList();
        var plottable = plot.Add.Bars(bars);
        double[] positions = Enumerable.Range(0, n).Select(At).ToArray();
        if (lying)
        {
            plottable.Horizontal = true;
            plot.Axes.Left.SetTicks(positions, panel.Bars.Select(b => b.Label).ToArray());
            plot.Axes.Left.MinimumSize = 20 + panel.Bars.Max(b => b.Label.Length) * LyingPixelsPerChar;
            plot.Axes.Margins(left: 0);
        }
        else
        {
            plot.Axes.Bottom.SetTicks(positions, panel.Bars.Select(b => string.Join('\n', Lines(b.Label))).ToArray());
            int lineCount = panel.Bars.Select(b => Lines(b.Label).Length).DefaultIfEmpty(1).Max();
            plot.Axes.Bottom.MinimumSize = 20 + lineCount * LinePixels;
            plot.Axes.Margins(bottom: 0);
        }
        return plot;
    }
}
