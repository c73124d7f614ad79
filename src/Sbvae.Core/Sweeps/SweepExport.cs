using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sbvae.Sweeps;

/// <summary>
/// A sweep's per-run values in layouts other tools read: a tidy (long) CSV, one row per run and value, and
/// disentanglement_lib's aggregated-results JSON, one record per run and evaluation.
/// </summary>
public static class SweepExport
{
    /// <summary>The evaluation and disentanglement_lib result key of each metric sbvae writes; others keep their name as both.</summary>
    static readonly Dictionary<string, (string Evaluation, string Key)> MetricKeys = new()
    {
        ["mig"] = ("mig", "discrete_mig"),
        ["dci_disentanglement"] = ("dci", "disentanglement"),
        ["dci_completeness"] = ("dci", "completeness"),
        ["dci_informativeness"] = ("dci", "informativeness_test"),
        ["factorvae"] = ("factorvae", "eval_accuracy"),
        ["betavae"] = ("betavae", "eval_accuracy"),
        ["sap"] = ("sap", "SAP_score"),
        ["geometry_r2"] = ("geometry", "r2"),
        ["geometry_extent"] = ("geometry", "extent"),
    };

    /// <summary>The evaluation of the final losses and terms of losses.csv.</summary>
    public const string Training = "training";

    /// <summary>The evaluation a quantity belongs to and its key there (training quantities keep their name).</summary>
    public static (string Evaluation, string Key) EvaluationOf(SweepSummary s, string quantity) =>
        Aggregation.LossColumns.Contains(quantity) || s.Terms.Contains(quantity) ? (Training, quantity)
        : MetricKeys.TryGetValue(quantity, out var k) ? k
        : s.ExperimentValues.Contains(quantity) && s.Plan.Experiment is { } e ? (Experiments.ExperimentData.Name(e), quantity)
        : (quantity, quantity);

    /// <summary>entry, every configuration key, seed, name, value: one row per finished entry and quantity.</summary>
    public static string LongCsv(SweepSummary s)
    {
        var keys = s.ConfigurationKeys;
        var header = new List<string> { "entry" };
        header.AddRange(keys.Select(k => k.Key));
        header.AddRange(["seed", "name", "value"]);
        var sb = new StringBuilder(string.Join(",", header) + "\n");
        foreach (var run in s.Runs)
        {
            var prefix = new List<string> { I(run.Entry.Index) };
            prefix.AddRange(keys.Select(k => run.Settings.FirstOrDefault(x => x.Option == k) is { } setting ? Quote(k.Format(setting.Value)) : ""));
            prefix.Add(Quote(Seed(run.Entry)));
            foreach (var (name, value) in run.Values)
                sb.AppendLine(string.Join(",", [.. prefix, Quote(name), R(value)]));
        }
        return sb.ToString();
    }

    /// <summary>
    /// A JSON list of records, one per finished entry and evaluation (training, then the metrics in the order
    /// first seen): train_config.KEY (decoder, objective, likelihood, the configuration, seed),
    /// evaluation_config.name and evaluation_results.KEY. A value that is not finite is null.
    /// </summary>
    public static string DlibJson(SweepSummary s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var run in s.Runs)
            {
                var config = TrainConfig(run);
                var evaluations = run.Values.GroupBy(v => EvaluationOf(s, v.Key).Evaluation);
                foreach (var evaluation in evaluations)
                {
                    w.WriteStartObject();
                    foreach (var (key, value) in config)
                    {
                        w.WritePropertyName("train_config." + key);
                        switch (value)
                        {
                            case int i: w.WriteNumberValue(i); break;
                            case double d: Number(w, d); break;
                            case bool b: w.WriteBooleanValue(b); break;
                            default: w.WriteStringValue((string)value); break;
                        }
                    }
                    w.WriteString("evaluation_config.name", evaluation.Key);
                    foreach (var (name, value) in evaluation)
                    {
                        w.WritePropertyName("evaluation_results." + EvaluationOf(s, name).Key);
                        Number(w, value);
                    }
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The run's decoder, objective and likelihood, its configuration's settings and its seed: numbers, booleans or text.</summary>
    static List<(string Key, object Value)> TrainConfig(RunValues run)
    {
        var result = new List<(string Key, object Value)>();
        void Add(PlanOption option, object? value)
        {
            if (result.Any(r => r.Key == option.Key)) return;
            if (value is null && option.Key != "dataset") return;
            result.Add((option.Key, value is int or double or bool ? value : option.Format(value)));
        }
        foreach (var key in (string[])["decoder", "objective", "likelihood"])
            if (PlanOption.Find(key) is { } option) Add(option, option.ValueIn(run.Entry.Template));
        foreach (var setting in run.Settings) Add(setting.Option, setting.Value);
        if (PlanOption.Find(SweepPlan.SeedKey) is { } seed) Add(seed, seed.ValueIn(run.Entry.Template));
        return result;
    }

    static string Seed(SweepEntry entry) =>
        PlanOption.Find(SweepPlan.SeedKey) is { } seed ? seed.Format(seed.ValueIn(entry.Template)) : "";

    static void Number(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }

    static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    static string Quote(string v) => v.Contains(',') || v.Contains('"') || v.Contains('\n') ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
}
