using System.Globalization;
using System.Text;
using Sbvae.Figures;

namespace Sbvae.Sweeps;

/// <summary>Writes a sweep summary as PREFIX.csv, PREFIX.md, PREFIX.png, PREFIX_long.csv and PREFIX_dlib.json (each atomically), PREFIX_losses.png (every run's loss curves) and PREFIX_reconstructions.png.</summary>
public static class SweepTable
{
    /// <summary>The per-run files: one row per run and value; disentanglement_lib's aggregated results.</summary>
    public const string LongSuffix = "_long.csv", DlibSuffix = "_dlib.json", LossesSuffix = "_losses.png";

    /// <param name="dir">The sweep folder, whose runs draw the reconstructions figure.</param>
    public static IReadOnlyList<string> Write(SweepSummary s, string prefix, string dir)
    {
        string csv = prefix + ".csv", md = prefix + ".md", png = prefix + ".png";
        AtomicFile.WriteAllText(csv, Csv(s));
        AtomicFile.WriteAllText(md, Markdown(s));
        SweepBarsFigure.Save(png, Panels(s));
        string tidy = prefix + LongSuffix, dlib = prefix + DlibSuffix;
        AtomicFile.WriteAllText(tidy, SweepExport.LongCsv(s));
        AtomicFile.WriteAllText(dlib, SweepExport.DlibJson(s));
        string losses = prefix + LossesSuffix;
        LossCurvesFigure.Save(losses, s.Curves);
        string reconstructions = prefix + SweepReconstructions.Suffix;
        SweepReconstructions.Save(reconstructions, s, dir);
        return [csv, md, png, tidy, dlib, losses, .. File.Exists(reconstructions) ? [reconstructions] : Array.Empty<string>()];
    }

    /// <summary>One row per configuration: its axis values, planned and finished entries, then mean and sd of each quantity.</summary>
    public static string Csv(SweepSummary s)
    {
        var keys = s.ConfigurationKeys;
        var header = new List<string> { "configuration" };
        header.AddRange(keys.Select(k => k.Key));
        header.AddRange(["planned", "n"]);
        foreach (var q in s.Quantities) header.AddRange([q + "_mean", q + "_sd"]);
        var sb = new StringBuilder(string.Join(",", header) + "\n");
        foreach (var row in s.Rows)
        {
            var cells = new List<string> { Quote(row.Label) };
            cells.AddRange(keys.Select(k => row.Settings.FirstOrDefault(x => x.Option == k) is { } setting ? Quote(k.Format(setting.Value)) : ""));
            cells.AddRange([I(row.Planned), I(row.Finished)]);
            foreach (var q in s.Quantities)
                cells.AddRange(row.Values.TryGetValue(q, out var st) ? [R(st.Mean), R(st.Sd)] : ["", ""]);
            sb.AppendLine(string.Join(",", cells));
        }
        return sb.ToString();
    }

    public static string Markdown(SweepSummary s)
    {
        var sb = new StringBuilder("# Sweep summary\n\n");
        sb.AppendLine("Final losses (last epoch of losses.csv, per image) and metrics, as mean ± sd over seeds; n = finished / planned entries."
            + (s.Terms.Contains("mse") ? " mse: the mean image's squared error per pixel, whatever the likelihood." : "") + "\n");
        sb.AppendLine("| configuration | n | " + string.Join(" | ", s.Quantities) + " |");
        sb.AppendLine("|---|---|" + string.Concat(s.Quantities.Select(_ => "---|")));
        foreach (var row in s.Rows)
        {
            var cells = s.Quantities.Select(q => row.Values.TryGetValue(q, out var st)
                ? (double.IsNaN(st.Sd) ? G(st.Mean) : MeanSd(st.Mean, st.Sd))
                : "–");
            sb.AppendLine($"| {row.Label} | {row.Finished}/{row.Planned} | {string.Join(" | ", cells)} |");
        }
        if (s.CpuTime.Runs > 0)
            sb.AppendLine($"\nCPU time: {s.CpuTime.Seconds / 3600:F2} CPU-hours over the {s.CpuTime.Runs} finished runs that recorded it "
                + "(cpu.json in each run folder: training and scoring, summed over restarts).");
        if (s.Missing.Count > 0)
        {
            sb.AppendLine($"\nMissing ({s.Missing.Count} of {s.Plan.Entries.Count} entries, not in the statistics):\n");
            foreach (var m in s.Missing) sb.AppendLine($"- {m.Entry.Index} `{m.Entry.Name}`: {m.Reason}");
        }
        return sb.ToString();
    }

    /// <summary>The figure's panels: the final KL and reconstruction (their sum, the loss, adds nothing to see), mse and the objective's terms, then each metric.</summary>
    public static IReadOnlyList<BarPanel> Panels(SweepSummary s) =>
        s.Quantities.Where(q => q is "kl" or "reconstruction" || !Aggregation.LossColumns.Contains(q))
            .Select(q => new BarPanel(q switch { "kl" => "final KL", "reconstruction" => "final reconstruction", _ when s.Terms.Contains(q) => "final " + q, _ => q },
                s.Rows.Where(r => r.Values.ContainsKey(q)).Select(r => new BarValue(s.FigureLabels[r.Label], r.Values[q].Mean, r.Values[q].Sd)).ToList()))
            .Where(p => p.Bars.Count > 0).ToList();

    /// <summary>
    /// Each configuration's label in the figures: its settings but those every configuration shares (the table
    /// states them; repeated under every bar and in every legend entry they only crowd the figure), or its full
    /// label when that leaves nothing.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FigureLabels(IReadOnlyList<ConfigurationRow> rows)
    {
        var shared = rows.Count < 2 ? [] : rows[0].Settings.Select(x => x.Text)
            .Where(t => rows.All(r => r.Settings.Any(x => x.Text == t))).ToHashSet();
        return rows.ToDictionary(r => r.Label, r =>
            r.Settings.Where(x => !shared.Contains(x.Text)).Select(x => x.Text).ToList() is { Count: > 0 } own ? string.Join(",", own) : r.Label);
    }

    /// <summary>"mean ± sd" with the sd to two significant digits and the mean to the same decimal place.</summary>
    internal static string MeanSd(double mean, double sd)
    {
        if (!(sd > 0) || !double.IsFinite(sd) || !double.IsFinite(mean)) return $"{G(mean)} ± {G(sd)}";
        int decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(sd)), 0, 12);
        string f = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return $"{mean.ToString(f, CultureInfo.InvariantCulture)} ± {sd.ToString(f, CultureInfo.InvariantCulture)}";
    }

    static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    static string Quote(string v) => v.Contains(',') || v.Contains('"') ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
}
