using System.Globalization;
using System.Text.Json;
using Sbvae.Data;
using Sbvae.Experiments;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Sweeps;

/// <summary>
/// One `sbvae train` option as a plan key: its JSON type and how a value sets the run
/// configuration. Values are checked one at a time so an error names exactly one key.
/// </summary>
public sealed class PlanOption
{
    public string Key { get; }
    readonly string? alias;
    readonly OptionKind kind;
    readonly Func<RunConfig, object?, RunConfig> apply;
    readonly Func<RunConfig, object?> get;
    readonly Func<ExperimentOptions, object?, ExperimentOptions>? setting;

    PlanOption(string key, string? alias, OptionKind kind, Func<RunConfig, object?, RunConfig> apply, Func<RunConfig, object?> get) =>
        (Key, this.alias, this.kind, this.apply, this.get) = (key, alias, kind, apply, get);

    /// <summary>An experiment's setting (not a train option): it changes the experiment's data, not the run configuration.</summary>
    PlanOption(string key, OptionKind kind, ExperimentKind experiment, Func<ExperimentOptions, object?, ExperimentOptions> setting)
        : this(key, null, kind, (c, _) => c, _ => null) => (Experiment, this.setting) = (experiment, setting);

    /// <summary>The experiment whose setting this key is, or null for a train option.</summary>
    public ExperimentKind? Experiment { get; }

    /// <summary>The keys: train's options without dashes (checkpoint-every → checkpoint_every), the decoder first.</summary>
    public static readonly IReadOnlyList<PlanOption> All =
    [
        // Not a declared training option: compare and the experiments train both decoders.
        new("decoder", null, OptionKind.Text, (c, v) => c with { Model = c.Model with { Decoder = ModelConfig.ParseDecoder((string)v!) } },
            c => ModelConfig.Name(c.Model.Decoder)),
        .. TrainingOptions.All.Select(o => new PlanOption(o.Key, o.Alias, o.Kind, o.With, o.ValueIn)),
        // The experiments' settings, as `experiment heldout|small|dependent` takes them; only in a plan that names that experiment.
        new("region", OptionKind.Text, ExperimentKind.HeldOut, (e, v) => e with { Region = FactorRegion.Parse((string)v!) }),
        new("object_size", OptionKind.Integer, ExperimentKind.Small, (e, v) => e with { ObjectSize = (int)v! }),
        new("strength", OptionKind.Number, ExperimentKind.Dependent, (e, v) => e with { Strength = (double)v! }),
    ];

    /// <summary>An experiment's options with this key's value (unchanged for a train option).</summary>
    public ExperimentOptions ApplyTo(ExperimentOptions options, object? value) => setting is null ? options : setting(options, value);

    /// <summary>The option a plan key names (case and - or _ do not matter; learning_rate = lr).</summary>
    public static PlanOption? Find(string key)
    {
        string k = key.Trim().ToLowerInvariant().Replace('-', '_');
        return All.FirstOrDefault(o => o.Key == k || o.alias == k);
    }

    /// <summary>
    /// The value of <paramref name="json"/> for this key (int, double, string, bool or null),
    /// checked on its own; a relative dataset path is resolved against <paramref name="planDir"/>.
    /// </summary>
    public object? Read(JsonElement json, string where, string planDir)
    {
        object? value = kind switch
        {
            OptionKind.Integer when json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out int i) => i,
            OptionKind.Number when json.ValueKind == JsonValueKind.Number => json.GetDouble(),
            OptionKind.Text when json.ValueKind == JsonValueKind.String => json.GetString(),
            OptionKind.Flag when json.ValueKind is JsonValueKind.True or JsonValueKind.False => json.GetBoolean(),
            OptionKind.Path when json.ValueKind == JsonValueKind.Null => null,
            OptionKind.Path when json.ValueKind == JsonValueKind.String && json.GetString() is { Length: > 0 } p => Path.GetFullPath(p, planDir),
            _ => throw new SbvaeException($"{where}: expected {Expected()}, got {Shown(json)}"),
        };
        try
        {
            var config = Apply(RunConfig.Default, value);
            config.Model.Validate();
            config.Train.Validate();
            ApplyTo(new ExperimentOptions(), value).Validate();
        }
        catch (SbvaeException e)
        {
            throw new SbvaeException($"{where}: {e.Message}");
        }
        return value;
    }

    public RunConfig Apply(RunConfig config, object? value) => apply(config, value);

    /// <summary>This key's value in a configuration (an unset hyperparameter is null).</summary>
    public object? ValueIn(RunConfig config) => get(config);

    string Expected() => kind switch
    {
        OptionKind.Integer => "an integer",
        OptionKind.Number => "a number",
        OptionKind.Text => "a string",
        OptionKind.Flag => "true or false",
        _ => "a path to an .npz or null (the reference dataset)",
    };

    static string Shown(JsonElement json)
    {
        string raw = json.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }

    /// <summary>A value as it appears in entry names and tables; a dataset by its file name.</summary>
    public string Format(object? value) => value switch
    {
        null => "reference",
        string s when kind == OptionKind.Path => Path.GetFileNameWithoutExtension(s),
        string s => s,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Writes a value back as JSON, for the canonical plan copy.</summary>
    public static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case double d: w.WriteNumberValue(d); break;
            default: throw new ArgumentException($"unexpected plan value {value}");
        }
    }
}
