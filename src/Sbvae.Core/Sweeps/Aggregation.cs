using System.Globalization;
using System.Text.Json;

namespace Sbvae.Sweeps;

/// <summary>Mean and sample standard deviation of one quantity over the seeds of a configuration (Sd is NaN for n = 1).</summary>
public sealed record Stat(double Mean, double Sd, int N)
{
    public static Stat Of(IReadOnlyList<double> xs)
    {
        double mean = xs.Average();
        double sd = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : double.NaN;
        return new Stat(mean, sd, xs.Count);
    }
}

/// <summary>One configuration (all axes but the seed): how many entries it has and finished, and its statistics.</summary>
public sealed record ConfigurationRow(string Label, IReadOnlyList<PlanSetting> Settings, int Planned, int Finished, IReadOnlyDictionary<string, Stat> Values);

public sealed record MissingEntry(SweepEntry Entry, string Reason);

public sealed record SweepSummary(SweepPlan Plan, IReadOnlyList<string> Quantities, IReadOnlyList<ConfigurationRow> Rows, IReadOnlyList<MissingEntry> Missing);

/// <summary>
/// Collects the finished entries of a sweep folder: final KL, reconstruction and loss (the
/// last epoch of losses.csv) and each metric of metrics.json, grouped by configuration.
/// </summary>
public static class Aggregation
{
    public static readonly string[] LossColumns = ["kl", "reconstruction", "loss"];

    public static SweepSummary Collect(string dir)
    {
        var plan = SweepRunner.LoadPlan(dir);
        var configurationKeys = plan.ConfigurationAxes.Select(a => a.Option).ToHashSet();
        var quantities = new List<string>(LossColumns);
        var missing = new List<MissingEntry>();
        var groups = new List<(string Label, IReadOnlyList<PlanSetting> Settings, List<SweepEntry> Entries, List<Dictionary<string, double>> Values)>();
        foreach (var entry in plan.Entries)
        {
            var settings = entry.Settings.Where(s => configurationKeys.Contains(s.Option)).ToList();
            string label = settings.Count == 0 ? "all" : string.Join(",", settings.Select(s => s.Text));
            int g = groups.FindIndex(x => x.Label == label);
            if (g < 0) { groups.Add((label, settings, [], [])); g = groups.Count - 1; }
            groups[g].Entries.Add(entry);

            string? why = SweepRunner.Unfinished(dir, plan, entry);
            Dictionary<string, double>? values = null;
            if (why is null)
            {
                try { values = Read(SweepRunner.EntryDir(dir, entry), plan.Metrics.Count > 0); }
                catch (SbvaeException e) { why = e.Message; }
            }
            if (values is null) { missing.Add(new MissingEntry(entry, why!)); continue; }
            foreach (var k in values.Keys) if (!quantities.Contains(k)) quantities.Add(k);
            groups[g].Values.Add(values);
        }
        var rows = groups.Select(g => new ConfigurationRow(g.Label, g.Settings, g.Entries.Count, g.Values.Count,
            quantities.Select(q => (q, xs: g.Values.Where(v => v.ContainsKey(q)).Select(v => v[q]).ToList()))
                .Where(p => p.xs.Count > 0).ToDictionary(p => p.q, p => Stat.Of(p.xs)))).ToList();
        return new SweepSummary(plan, quantities, rows, missing);
    }

    /// <summary>The final losses of a run folder and, when asked, its metrics.</summary>
    static Dictionary<string, double> Read(string runDir, bool metrics)
    {
        var values = FinalLosses(Path.Combine(runDir, "losses.csv"));
        if (metrics)
        {
            string path = Path.Combine(runDir, SweepRunner.MetricsFile);
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                foreach (var m in doc.RootElement.GetProperty("metrics").EnumerateObject())
                    values[m.Name] = m.Value.GetDouble();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new SbvaeException($"unreadable {SweepRunner.MetricsFile}");
            }
        }
        return values;
    }

    static Dictionary<string, double> FinalLosses(string path)
    {
        if (!File.Exists(path)) throw new SbvaeException("no losses.csv");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2) throw new SbvaeException("losses.csv has no epochs");
        var header = lines[0].Split(',');
        var last = lines[^1].Split(',');
        var values = new Dictionary<string, double>();
        foreach (var column in LossColumns)
        {
            int i = Array.IndexOf(header, column);
            if (i < 0 || i >= last.Length || !double.TryParse(last[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new SbvaeException($"losses.csv has no readable '{column}' column");
            values[column] = v;
        }
        return values;
    }
}
