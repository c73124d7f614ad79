using ScottPlot;

namespace Sbvae.Figures;

/// <summary>
/// SPEC §6.1: KL and reconstruction terms per epoch, on log axes, one line per model.
/// Non-positive or non-finite values cannot sit on a log axis and are left out. Up to eight legend
/// entries sit in a corner of each panel; more would hide the curves, so they go once, right of both.
/// </summary>
public static class LossCurvesFigure
{
    const int PanelWidth = 600, Height = 500, MaxLegendInside = 8;
    const int PixelsPerChar = 8, LegendSpace = 70, EntryPixels = 21, TitleSpace = 120;
    static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    public static void Save(string pngPath, IReadOnlyList<LossHistory> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0) throw new ArgumentException("no models to plot", nameof(models));
        var entries = models.Select((m, i) => (m.Group ?? -1 - i, m.Model)).Distinct().ToList();
        bool outside = entries.Count > MaxLegendInside;
        Plot kl = Panel("KL term", "KL per image (log scale)", models, m => m.Kl, legend: !outside);
        Plot rec = Panel("reconstruction term", "reconstruction loss per image (log scale)", models, m => m.Reconstruction, legend: !outside);
        if (!outside)
        {
            Plots.SaveRow(pngPath, [kl, rec], PanelWidth, Height);
            return;
        }
        rec.ShowLegend(Edge.Right);
        int legendWidth = LegendSpace + entries.Max(e => e.Model.Length) * PixelsPerChar;
        Plots.SaveRow(pngPath, [kl, rec], [PanelWidth, PanelWidth + legendWidth], Math.Max(Height, TitleSpace + entries.Count * EntryPixels));
    }

    /// <summary>A legend group's line: ten colours, then the same ten dashed, dotted and densely dashed.</summary>
    internal static (Color Colour, LinePattern Pattern) Style(int group) =>
        (new ScottPlot.Palettes.Category10().GetColor(group % 10), Patterns[group / 10 % Patterns.Length]);

    static Plot Panel(string title, string yLabel, IReadOnlyList<LossHistory> models, Func<LossHistory, double[]> series, bool legend)
    {
        Plot plot = Plots.New(title, "epoch", yLabel);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        var lastValues = new List<double>();
        for (int m = 0; m < models.Count; m++)
        {
            double[] values = series(models[m]) ?? throw new ArgumentException($"model '{models[m].Model}' has no values");
            var xs = new List<double>();
            var ys = new List<double>();
            for (int e = 0; e < values.Length; e++)
            {
                if (!(values[e] > 0) || double.IsInfinity(values[e])) continue;
                xs.Add(e + 1);
                ys.Add(Math.Log10(values[e]));
                lo = Math.Min(lo, values[e]); hi = Math.Max(hi, values[e]);
            }
            if (ys.Count > 0) lastValues.Add(ys[^1]);
            // Runs of one group (a configuration's seeds) share a colour and one legend entry.
            int group = models[m].Group ?? m;
            var (colour, pattern) = Style(group);
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), colour);
            line.LinePattern = pattern;
            if (models[m].Group is null || models.Take(m).All(o => o.Group != group)) line.LegendText = models[m].Model;
            line.LineWidth = 2;
            line.MarkerSize = xs.Count <= 40 ? 5 : 0;
        }
        if (lo <= hi) plot.Axes.Left.TickGenerator = LogTicks.For(lo, hi);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (legend) plot.ShowLegend(LegendCorner(lastValues, lo, hi));
        else plot.HideLegend();
        return plot;
    }

    /// <summary>
    /// The right-hand corner the curves end away from (KL ends high, reconstruction low), so the
    /// legend does not cover their last epochs. <paramref name="lastLogValues"/>: each curve's last
    /// log10 value; <paramref name="lo"/>, <paramref name="hi"/>: the plotted range, not logged.
    /// </summary>
    internal static Alignment LegendCorner(IReadOnlyList<double> lastLogValues, double lo, double hi) =>
        lastLogValues.Count > 0 && lo < hi && lastLogValues.Average() > (Math.Log10(lo) + Math.Log10(hi)) / 2
            ? Alignment.LowerRight : Alignment.UpperRight;
}
