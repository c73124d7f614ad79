using System.Globalization;
using System.Text.Json;
using Sbvae.Figures;
using Sbvae.Training;

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

/// <summary>
/// One configuration (every setting of an entry but the seed; with objectives in the plan also each entry's objective,
/// likelihood and the hyperparameters set for it): how many entries it has and finished, and its statistics.
/// </summary>
public sealed record ConfigurationRow(string Label, IReadOnlyList<PlanSetting> Settings, int Planned, int Finished, IReadOnlyDictionary<string, Stat> Values);

public sealed record MissingEntry(SweepEntry Entry, string Reason);

/// <summary>One finished entry: its configuration (as in <see cref="ConfigurationRow.Settings"/>) and its own values, in the order of <see cref="SweepSummary.Quantities"/>.</summary>
public sealed record RunValues(SweepEntry Entry, IReadOnlyList<PlanSetting> Settings, IReadOnlyDictionary<string, double> Values);

public sealed record SweepSummary(SweepPlan Plan, IReadOnlyList<string> Quantities, IReadOnlyList<ConfigurationRow> Rows, IReadOnlyList<MissingEntry> Missing)
{
    /// <summary>The quantities that are losses.csv terms besides KL, reconstruction and loss (mse, tc, capacity, dip, disc_loss, …): final values, like those three.</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];

    /// <summary>Every finished entry with its own values (not averaged), in plan order.</summary>
    public IReadOnlyList<RunValues> Runs { get; init; } = [];

    /// <summary>CPU seconds summed over the finished runs that recorded them (<see cref="RunCpuTime"/>), and how many did.</summary>
    public (double Seconds, int Runs) CpuTime { get; init; }

    /// <summary>Every finished run's KL and reconstruction per epoch under its configuration's figure label, the seeds of a configuration in one colour.</summary>
    public IReadOnlyList<LossHistory> Curves { get; init; } = [];

    /// <summary>Each row's label in the figures (<see cref="SweepTable.FigureLabels"/>), by <see cref="ConfigurationRow.Label"/>.</summary>
    public IReadOnlyDictionary<string, string> FigureLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The quantities an experiment plan's entries recorded in experiment.json (the held-out ratio, the probe's R², …).</summary>
    public IReadOnlyList<string> ExperimentValues { get; init; } = [];

    /// <summary>The configuration columns: every key some row's configuration sets, in order of first appearance.</summary>
    public IReadOnlyList<PlanOption> ConfigurationKeys => Rows.SelectMany(r => r.Settings.Select(s => s.Option)).Distinct().ToList();
}

/// <summary>
/// Collects the finished entries of a sweep folder: final KL, reconstruction and loss (the
/// last epoch of losses.csv), the other terms losses.csv logs (mse, and the objective's: tc,
/// capacity, dip, the discriminator's loss and accuracy) and each metric of metrics.json,
/// grouped by configuration.
/// </summary>
public static class Aggregation
{
    public static readonly string[] LossColumns = ["kl", "reconstruction", "loss"];
    /// <summary>losses.csv columns that are not a quantity of the model.</summary>
    static readonly string[] Bookkeeping = ["epoch", "step", "seconds", "images_per_second"];
    /// <summary>The plan keys of the objectives' and likelihoods' hyperparameters.</summary>
    static readonly string[] Hyperparameters = ["beta", "gamma", "lambda_od", "lambda_d", "capacity_max", "capacity_steps", "variance", "scale"];

    /// <summary>
    /// What makes <paramref name="entry"/>'s configuration: its settings but the seed (averaged over). When the plan
    /// involves objectives (one other than betavae with the gaussian likelihood, or objective or likelihood set by a
    /// variant or an axis), also its objective and likelihood and every hyperparameter set for it (in base, its variant
    /// or an axis), first, so that rows of different objectives never merge and each says what it trained.
    /// </summary>
    public static IReadOnlyList<PlanSetting> Configuration(SweepPlan plan, SweepEntry entry)
    {
        var own = entry.Settings.Where(s => s.Option.Key != SweepPlan.SeedKey).ToList();
        if (!InvolvesObjectives(plan)) return own;
        var result = new List<PlanSetting>();
        foreach (var key in (string[])["objective", "likelihood", .. Hyperparameters])
        {
            var option = PlanOption.Find(key)!;
            object? value = option.ValueIn(entry.Template), unset = option.ValueIn(RunConfig.Default);
            if (key is "objective" or "likelihood" || (value is not null && !Equals(value, unset)) || own.Any(s => s.Option == option))
                result.Add(new PlanSetting(option, value));
        }
        result.AddRange(own.Where(s => !result.Any(r => r.Option == s.Option)));
        return result;
    }

    static bool InvolvesObjectives(SweepPlan plan) =>
        plan.Entries.Any(e => !e.Template.Model.HasReferenceObjective())
        || plan.Variants.SelectMany(v => v).Concat(plan.Axes.Select(a => new PlanSetting(a.Option, null)))
            .Any(s => s.Option.Key is "objective" or "likelihood");

    public static SweepSummary Collect(string dir)
    {
        var plan = SweepRunner.LoadPlan(dir);
        var terms = new List<string>();
        var metrics = new List<string>();
        var missing = new List<MissingEntry>();
        var runs = new List<RunValues>();
        var experimentValues = new List<string>();
        var curves = new List<LossHistory>();
        (double Seconds, int Runs) cpuTime = (0, 0);
        var groups = new List<(string Label, IReadOnlyList<PlanSetting> Settings, List<SweepEntry> Entries, List<Dictionary<string, double>> Values)>();
        foreach (var entry in plan.Entries)
        {
            var settings = Configuration(plan, entry);
            string label = settings.Count == 0 ? "all" : string.Join(",", settings.Select(s => s.Text));
            int g = groups.FindIndex(x => x.Label == label);
            if (g < 0) { groups.Add((label, settings, [], [])); g = groups.Count - 1; }
            groups[g].Entries.Add(entry);

            string? why = SweepRunner.Unfinished(dir, plan, entry);
            string runDir = SweepRunner.EntryDir(dir, entry);
            Dictionary<string, double>? values = null;
            if (why is null)
            {
                try
                {
                    values = Read(runDir, plan.Metrics.Count > 0, terms, metrics);
                    if (plan.Experiment is not null) ReadExperiment(runDir, values, experimentValues);
                }
                catch (SbvaeException e) { why = e.Message; }
            }
            if (values is null) { missing.Add(new MissingEntry(entry, why!)); continue; }
            groups[g].Values.Add(values);
            runs.Add(new RunValues(entry, settings, values));
            if (RunCpuTime.Read(runDir) is double cpu) cpuTime = (cpuTime.Seconds + cpu, cpuTime.Runs + 1);
            curves.Add(Curve(runDir, label, g));
        }
        List<string> quantities = [.. LossColumns, .. terms.OrderBy(t => t == "mse" ? 0 : 1), .. metrics, .. experimentValues];
        var rows = groups.Select(g => new ConfigurationRow(g.Label, g.Settings, g.Entries.Count, g.Values.Count,
            quantities.Select(q => (q, xs: g.Values.Where(v => v.ContainsKey(q)).Select(v => v[q]).ToList()))
                .Where(p => p.xs.Count > 0).ToDictionary(p => p.q, p => Stat.Of(p.xs)))).ToList();
        var figureLabels = SweepTable.FigureLabels(rows);
        return new SweepSummary(plan, quantities, rows, missing)
        {
            Terms = terms.OrderBy(t => t == "mse" ? 0 : 1).ToList(),
            ExperimentValues = experimentValues,
            FigureLabels = figureLabels,
            Curves = curves.Select(c => c with { Model = figureLabels[c.Model] }).ToList(),
            CpuTime = cpuTime,
            Runs = runs.Select(r => r with { Values = quantities.Where(r.Values.ContainsKey).ToDictionary(q => q, q => r.Values[q]) }).ToList(),
        };
    }

    /// <summary>
    /// The final losses and terms of a run folder and, when asked, its metrics; the names of terms and metrics not
    /// seen before are added to <paramref name="terms"/> and <paramref name="metricNames"/>. A metric named like a
    /// losses.csv column (an `evaluate` output's mse) leaves the final training value in place.
    /// </summary>
    static Dictionary<string, double> Read(string runDir, bool metrics, List<string> terms, List<string> metricNames)
    {
        var values = FinalLosses(Path.Combine(runDir, "losses.csv"));
        foreach (var k in values.Keys) if (!LossColumns.Contains(k) && !terms.Contains(k)) terms.Add(k);
        if (metrics)
        {
            string path = Path.Combine(runDir, SweepRunner.MetricsFile);
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                foreach (var m in doc.RootElement.GetProperty("metrics").EnumerateObject())
                {
                    if (values.ContainsKey(m.Name)) continue;
                    values[m.Name] = m.Value.GetDouble();
                    if (!metricNames.Contains(m.Name)) metricNames.Add(m.Name);
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new SbvaeException($"unreadable {SweepRunner.MetricsFile}");
            }
        }
        return values;
    }

    /// <summary>An experiment entry's own results (experiment.json's values), added to <paramref name="values"/>.</summary>
    static void ReadExperiment(string runDir, Dictionary<string, double> values, List<string> names)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, SweepRunner.ExperimentFile)));
            foreach (var v in doc.RootElement.GetProperty("values").EnumerateObject())
            {
                values[v.Name] = v.Value.ValueKind == JsonValueKind.Number ? v.Value.GetDouble() : double.NaN;
                if (!names.Contains(v.Name)) names.Add(v.Name);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new SbvaeException($"unreadable {SweepRunner.ExperimentFile}");
        }
    }

    /// <summary>A run's KL and reconstruction per logged row of losses.csv.</summary>
    static LossHistory Curve(string runDir, string label, int group)
    {
        var lines = File.ReadAllLines(Path.Combine(runDir, "losses.csv")).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        int kl = Array.IndexOf(header, "kl"), rec = Array.IndexOf(header, "reconstruction");
        double At(string line, int i) => double.TryParse(line.Split(',')[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
        return new LossHistory(label, [.. lines.Skip(1).Select(l => At(l, kl))], [.. lines.Skip(1).Select(l => At(l, rec))]) { Group = group };
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
        // Every other column with a number in the last epoch: mse and the objective's terms (a term an epoch did not log is empty).
        for (int i = 0; i < header.Length && i < last.Length; i++)
            if (!LossColumns.Contains(header[i]) && !Bookkeeping.Contains(header[i])
                && double.TryParse(last[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double t))
                values[header[i]] = t;
        return values;
    }
}
