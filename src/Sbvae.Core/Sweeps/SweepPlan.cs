using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sbvae.Evaluation;
using Sbvae.Experiments;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Sweeps;

/// <summary>A setting of one plan key: the option and its value.</summary>
public sealed record PlanSetting(PlanOption Option, object? Value)
{
    public string Text => $"{Option.Key}={Option.Format(Value)}";
}

/// <summary>One axis: a key and the values it takes, in plan order.</summary>
public sealed record PlanAxis(PlanOption Option, IReadOnlyList<object?> Values);

/// <summary>
/// One run of a sweep: its position in the expansion, its folder name and its settings (its
/// variant's, then its axis values).
/// The image size is the dataset's, so the full configuration is made once the data is loaded.
/// </summary>
public sealed record SweepEntry(int Index, string Name, IReadOnlyList<PlanSetting> Settings, RunConfig Template)
{
    /// <summary>The plan's experiment, whose data this entry trains on, or null (the dataset as it is).</summary>
    public ExperimentKind? Experiment { get; init; }
    /// <summary>The experiment's settings for this entry (its seed is the entry's training seed).</summary>
    public ExperimentOptions ExperimentOptions { get; init; } = new();
    public string? Dataset => Template.Train.Dataset;
    public int Epochs => Template.Train.Epochs;
    public RunConfig Config(int imageSize) => Template with { Model = Template.Model with { ImageSize = imageSize } };
}

/// <summary>
/// A sweep: base train options plus axes to cross, optionally variants (sets of options, e.g. one
/// objective with its hyperparameters each) crossed with the axes, and metrics to compute after
/// training. Expansion order: the variants in plan order, then the axes in the order the plan
/// writes them, the last axis varying fastest (like nested loops); entry names are
/// "key=value,…" in the same order, the variant's keys first. A plan may name an experiment
/// ("experiment": "heldout" | "small" | "dependent"): every entry then trains on that experiment's
/// data, its settings (region, object_size, strength) may be set in base, axes or variants like
/// train options, and each trained model gets the experiment's own results.
/// </summary>
public sealed partial class SweepPlan
{
    public const string SeedKey = "seed";
    static readonly string[] TopKeys = ["experiment", "base", "axes", "variants", "metrics", "metric_samples"];

    public IReadOnlyList<PlanSetting> Base { get; }
    public IReadOnlyList<PlanAxis> Axes { get; }
    /// <summary>Each variant's settings, in plan order; empty = no variants (the axes alone).</summary>
    public IReadOnlyList<IReadOnlyList<PlanSetting>> Variants { get; }
    /// <summary>Metric names as `evaluate --metrics` takes them; empty = no evaluation.</summary>
    public IReadOnlyList<string> Metrics { get; }
    /// <summary>Scale of the metric sample sizes, as `evaluate --samples`.</summary>
    public double MetricSamples { get; }
    public IReadOnlyList<SweepEntry> Entries { get; }
    /// <summary>The experiment every entry runs, or null for plain training on the dataset.</summary>
    public ExperimentKind? Experiment { get; }

    SweepPlan(ExperimentKind? experiment, IReadOnlyList<PlanSetting> @base, IReadOnlyList<PlanAxis> axes, IReadOnlyList<IReadOnlyList<PlanSetting>> variants,
        IReadOnlyList<string> metrics, double metricSamples, string source)
    {
        (Experiment, Base, Axes, Variants, Metrics, MetricSamples) = (experiment, @base, axes, variants, metrics, metricSamples);
        Entries = Expand(source);
    }

    public static SweepPlan Load(string path)
    {
        if (!File.Exists(path)) throw new SbvaeException($"plan file not found: {path}");
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new SbvaeException($"cannot read plan '{path}': {e.Message}"); }
        return Parse(text, Path.GetFileName(path), Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Reads a plan; relative dataset paths are taken from <paramref name="planDir"/>.</summary>
    public static SweepPlan Parse(string json, string source, string planDir)
    {
        planDir = Path.GetFullPath(planDir);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new SbvaeException($"{source}: not valid JSON ({e.Message.Split('\n')[0]})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SbvaeException($"{source}: the plan must be a JSON object with \"base\" and \"axes\"");
            var top = Members(root, source);
            foreach (var key in top.Keys)
                if (!TopKeys.Contains(key)) throw new SbvaeException($"{source}: unknown key '{key}' (use {string.Join(", ", TopKeys)})");

            ExperimentKind? experiment = null;
            if (top.TryGetValue("experiment", out var ex))
            {
                if (ex.ValueKind != JsonValueKind.String) throw new SbvaeException($"{source}: experiment: expected \"heldout\", \"small\" or \"dependent\"");
                try { experiment = ExperimentData.Parse(ex.GetString()!); }
                catch (SbvaeException e) { throw new SbvaeException($"{source}: experiment: {e.Message}"); }
            }
            PlanOption Option(string key, string where)
            {
                var option = SweepPlan.Option(key, where);
                if (option.Experiment is { } owner && owner != experiment)
                    throw new SbvaeException($"{where}: '{option.Key}' is a setting of the {ExperimentData.Name(owner)} experiment; " +
                        (experiment is null ? $"add \"experiment\": \"{ExperimentData.Name(owner)}\"" : $"this plan runs {ExperimentData.Name(experiment.Value)}"));
                return option;
            }

            var settings = new List<PlanSetting>();
            if (top.TryGetValue("base", out var b))
                foreach (var (key, value) in Members(Object(b, $"{source}: base"), $"{source}: base"))
                {
                    var option = Option(key, $"{source}: base");
                    if (settings.Any(s => s.Option == option)) throw new SbvaeException($"{source}: base.{key}: '{option.Key}' is set twice");
                    settings.Add(new PlanSetting(option, option.Read(value, $"{source}: base.{key}", planDir)));
                }

            var axes = new List<PlanAxis>();
            if (top.TryGetValue("axes", out var a))
                foreach (var (key, value) in Members(Object(a, $"{source}: axes"), $"{source}: axes"))
                {
                    string where = $"{source}: axes.{key}";
                    var option = Option(key, $"{source}: axes");
                    if (settings.Any(s => s.Option == option)) throw new SbvaeException($"{where}: '{option.Key}' is both in base and an axis");
                    if (axes.Any(x => x.Option == option)) throw new SbvaeException($"{where}: '{option.Key}' is an axis twice");
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
                        throw new SbvaeException($"{where}: an axis is a non-empty list of values");
                    var values = value.EnumerateArray().Select((v, i) => option.Read(v, $"{where}[{i}]", planDir)).ToList();
                    if (values.Distinct().Count() != values.Count) throw new SbvaeException($"{where}: a value appears twice");
                    axes.Add(new PlanAxis(option, values));
                }

            var variants = new List<IReadOnlyList<PlanSetting>>();
            if (top.TryGetValue("variants", out var vs))
            {
                if (vs.ValueKind != JsonValueKind.Array || vs.GetArrayLength() == 0)
                    throw new SbvaeException($"{source}: variants: expected a non-empty list of objects of option: value");
                int i = 0;
                foreach (var variant in vs.EnumerateArray())
                {
                    string at = $"{source}: variants[{i}]";
                    var own = new List<PlanSetting>();
                    foreach (var (key, value) in Members(Object(variant, at), at))
                    {
                        string where = $"{at}.{key}";
                        var option = Option(key, at);
                        if (own.Any(s => s.Option == option)) throw new SbvaeException($"{where}: '{option.Key}' is set twice");
                        if (settings.Any(s => s.Option == option)) throw new SbvaeException($"{where}: '{option.Key}' is both in base and a variant");
                        if (axes.Any(x => x.Option == option)) throw new SbvaeException($"{where}: '{option.Key}' is both an axis and in a variant");
                        own.Add(new PlanSetting(option, option.Read(value, where, planDir)));
                    }
                    int same = variants.FindIndex(v => v.Count == own.Count && v.All(s => own.Any(o => o.Option == s.Option && Equals(o.Value, s.Value))));
                    if (same >= 0) throw new SbvaeException($"{at}: the same variant as variants[{same}]");
                    variants.Add(own);
                    i++;
                }
            }

            var metrics = new List<string>();
            if (top.TryGetValue("metrics", out var m))
            {
                if (m.ValueKind != JsonValueKind.Array || m.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                    throw new SbvaeException($"{source}: metrics: expected a list of metric names");
                if (m.GetArrayLength() > 0)
                {
                    try { metrics.AddRange(MetricSuite.Parse(string.Join(",", m.EnumerateArray().Select(x => x.GetString())))); }
                    catch (SbvaeException e) { throw new SbvaeException($"{source}: metrics: {e.Message}"); }
                }
            }
            double samples = 1;
            if (top.TryGetValue("metric_samples", out var s))
            {
                if (s.ValueKind != JsonValueKind.Number || !(s.GetDouble() is > 0 and <= 10))
                    throw new SbvaeException($"{source}: metric_samples: expected a number in (0, 10], got {s.GetRawText()}");
                samples = s.GetDouble();
            }
            if (experiment == ExperimentKind.Small && settings.Concat(variants.SelectMany(v => v)).Any(x => x.Option.Key == "dataset" && x.Value is not null))
                throw new SbvaeException($"{source}: the small experiment renders its own dataset; leave out \"dataset\"");
            return new SweepPlan(experiment, settings, axes, variants, metrics.Distinct().ToList(), samples, source);
        }
    }

    static JsonElement Object(JsonElement e, string where) =>
        e.ValueKind == JsonValueKind.Object ? e : throw new SbvaeException($"{where}: expected an object of option: value");

    /// <summary>The members of an object in order, refusing duplicate names (JSON allows them, a plan must not).</summary>
    static Dictionary<string, JsonElement> Members(JsonElement obj, string where)
    {
        var members = new Dictionary<string, JsonElement>();
        foreach (var p in obj.EnumerateObject())
            if (!members.TryAdd(p.Name, p.Value)) throw new SbvaeException($"{where}: key '{p.Name}' appears twice");
        return members;
    }

    static PlanOption Option(string key, string where) => PlanOption.Find(key)
        ?? throw new SbvaeException($"{where}: unknown key '{key}' (train options: {string.Join(", ", PlanOption.All.Select(o => o.Key))})");

    /// <summary>
    /// Every variant (or none) crossed with the axes. Each entry's whole configuration is checked
    /// (a hyperparameter its objective does not use) before anything runs, naming the entry.
    /// </summary>
    List<SweepEntry> Expand(string source)
    {
        var start = Base.Aggregate(new RunConfig(new ModelConfig(), new TrainConfig()), (c, s) => s.Option.Apply(c, s.Value));
        var combos = new List<List<PlanSetting>> { new() };
        foreach (var axis in Axes)
            combos = combos.SelectMany(c => axis.Values.Select(v => new List<PlanSetting>(c) { new(axis.Option, v) })).ToList();
        IReadOnlyList<IReadOnlyList<PlanSetting>> variants = Variants.Count > 0 ? Variants : [[]];
        var entries = new List<SweepEntry>();
        var byName = new Dictionary<string, int>();
        foreach (var variant in variants)
            foreach (var combo in combos)
            {
                List<PlanSetting> settings = [.. variant, .. combo];
                string text = string.Join(",", settings.Select(s => s.Text));
                string name = settings.Count == 0 ? "run" : FolderName(text);
                if (byName.TryGetValue(name, out int other))
                    throw new SbvaeException($"plan entries {other} and {entries.Count} get the same folder name '{name}'");
                byName[name] = entries.Count;
                var config = settings.Aggregate(start, (c, s) => s.Option.Apply(c, s.Value));
                var experimentOptions = Base.Concat(settings).Aggregate(new ExperimentOptions(), (e, s) => s.Option.ApplyTo(e, s.Value))
                    with { Seed = config.Train.Seed };
                try
                {
                    config.Model.CheckHyperparameters();
                    var keys = Base.Concat(settings).Select(s => s.Option.Key).ToHashSet();
                    if (keys.Contains(TrainingOptions.Epochs.Key) && keys.Contains(TrainingOptions.Steps.Key))
                        throw new SbvaeException("give epochs or steps, not both");
                    config.Train.CheckTogether();
                }
                catch (SbvaeException e)
                {
                    string shown = settings.Count == 0 ? "run" : string.Join(", ", settings.Select(s => s.Text));
                    throw new SbvaeException($"{source}: entry {entries.Count} ({shown}): {e.Message}");
                }
                entries.Add(new SweepEntry(entries.Count, name, settings, config) { Experiment = Experiment, ExperimentOptions = experimentOptions });
            }
        return entries;
    }

    /// <summary>Keeps letters, digits and . _ = , + -; anything else (slashes, spaces) becomes _.</summary>
    public static string FolderName(string text) => Unsafe().Replace(text, "_");

    [GeneratedRegex("[^A-Za-z0-9._=,+-]")]
    private static partial Regex Unsafe();

    /// <summary>The plan in one normal form (absolute dataset paths, canonical key names): equal plans give equal text.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            if (Experiment is { } experiment) w.WriteString("experiment", ExperimentData.Name(experiment)); // absent otherwise: older plans keep their form
            w.WriteStartObject("base");
            foreach (var s in Base) { w.WritePropertyName(s.Option.Key); PlanOption.Write(w, s.Value); }
            w.WriteEndObject();
            w.WriteStartObject("axes");
            foreach (var a in Axes)
            {
                w.WriteStartArray(a.Option.Key);
                foreach (var v in a.Values) PlanOption.Write(w, v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            if (Variants.Count > 0) // absent without variants, so a plan without them keeps the form it always had
            {
                w.WriteStartArray("variants");
                foreach (var variant in Variants)
                {
                    w.WriteStartObject();
                    foreach (var s in variant) { w.WritePropertyName(s.Option.Key); PlanOption.Write(w, s.Value); }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartArray("metrics");
            foreach (var m in Metrics) w.WriteStringValue(m);
            w.WriteEndArray();
            w.WriteNumber("metric_samples", MetricSamples);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The axes that make a configuration: all but the seed, which is averaged over (the variants' keys do too).</summary>
    public IReadOnlyList<PlanAxis> ConfigurationAxes => Axes.Where(a => a.Option.Key != SeedKey).ToList();
}
