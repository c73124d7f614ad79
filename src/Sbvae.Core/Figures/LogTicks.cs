using System.Globalization;
using ScottPlot.TickGenerators;

namespace Sbvae.Figures;

/// <summary>
/// Tick marks for data plotted as log10(value) but labelled with the values themselves.
/// Decades when the data spans several, else the first of 1-2-5, 1-2-3-5 and 1…9 steps
/// that gives at least four ticks; for a range narrower than that (a loss that moved from
/// 52 to 41), plain evenly spaced values.
/// </summary>
public static class LogTicks
{
    public static NumericManual For(double minValue, double maxValue)
    {
        var gen = new NumericManual();
        foreach (double v in Values(minValue, maxValue))
            gen.AddMajor(Math.Log10(v), v.ToString("G4", CultureInfo.InvariantCulture));
        return gen;
    }

    public static List<double> Values(double lo, double hi)
    {
        if (!(lo > 0) || !(hi >= lo)) throw new ArgumentOutOfRangeException(nameof(lo), "need 0 < lo ≤ hi");
        if (hi / lo < 1.0001) { lo *= 0.9; hi *= 1.1; }
        // Widen a little: the plot's autoscale margin shows ticks just outside the data.
        lo /= 1.05; hi *= 1.05;
        foreach (double[] mantissas in new[] { new[] { 1.0 }, [1, 2, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9] })
        {
            var ticks = new List<double>();
            for (int k = (int)Math.Floor(Math.Log10(lo)); k <= (int)Math.Ceiling(Math.Log10(hi)); k++)
                foreach (double m in mantissas)
                {
                    double v = m * Math.Pow(10, k);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.Add(v);
                }
            if (ticks.Count >= 4) return ticks;
        }
        double step = NiceStep((hi - lo) / 4);
        var linear = new List<double>();
        for (double v = Math.Ceiling(lo / step) * step; v <= hi * (1 + 1e-9); v += step)
            if (v > 0) linear.Add(Math.Round(v / step) * step);
        return linear;
    }

    static double NiceStep(double raw)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / mag;
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
    }
}
