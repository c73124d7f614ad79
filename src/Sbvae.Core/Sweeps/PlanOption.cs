using System.Globalization;
using System.Text.Json;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Sweeps;

/// <summary>
/// One `sbvae train` option as a plan key: its JSON type and how a value sets the run
/// configuration. Values are checked one at a time so an error names exactly one key.
/// </summary>
public sealed class PlanOption
{
    enum Kind { Integer, Number, Text, Flag, Path }

    public string Key { get; }
    readonly Kind kind;
    readonly Func<RunConfig, object?, RunConfig> apply;

    PlanOption(string key, Kind kind, Func<RunConfig, object?, RunConfig> apply) => (Key, this.kind, this.apply) = (key, kind, apply);

    static RunConfig M(RunConfig c, Func<ModelConfig, ModelConfig> f) => c with { Model = f(c.Model) };
    static RunConfig T(RunConfig c, Func<TrainConfig, TrainConfig> f) => c with { Train = f(c.Train) };

    /// <summary>The keys, named as train's options without dashes (checkpoint-every → checkpoint_every).</summary>
    public static readonly IReadOnlyList<PlanOption> All =
    [
        new("decoder", Kind.Text, (c, v) => M(c, m => m with { Decoder = ModelConfig.ParseDecoder((string)v!) })),
        new("epochs", Kind.Integer, (c, v) => T(c, t => t with { Epochs = (int)v! })),
        new("latent", Kind.Integer, (c, v) => M(c, m => m with { Latent = (int)v! })),
        new("variance", Kind.Number, (c, v) => M(c, m => m with { Variance = (double)v! })),
        new("beta", Kind.Number, (c, v) => M(c, m => m with { Beta = (double)v! })),
        new("batch", Kind.Integer, (c, v) => T(c, t => t with { Batch = (int)v! })),
        new("lr", Kind.Number, (c, v) => T(c, t => t with { LearningRate = (double)v! })),
        new("seed", Kind.Integer, (c, v) => T(c, t => t with { Seed = (int)v! })),
        new("threads", Kind.Integer, (c, v) => T(c, t => t with { Threads = (int)v! })),
        new("device", Kind.Text, (c, v) => T(c, t => t with { Device = (string)v! })),
        new("dataset", Kind.Path, (c, v) => T(c, t => t with { Dataset = (string?)v })),
        new("unpadded", Kind.Flag, (c, v) => M(c, m => m with { Unpadded = (bool)v! })),
        new("checkpoint_every", Kind.Integer, (c, v) => T(c, t => t with { CheckpointEvery = (int)v! })),
        new("precision", Kind.Text, (c, v) => T(c, t => t with { Precision = (string)v! })),
    ];

    /// <summary>The option a plan key names (case and - or _ do not matter; learning_rate = lr).</summary>
    public static PlanOption? Find(string key)
    {
        string k = key.Trim().ToLowerInvariant().Replace('-', '_');
        if (k == "learning_rate") k = "lr";
        return All.FirstOrDefault(o => o.Key == k);
    }

    /// <summary>
    /// The value of <paramref name="json"/> for this key (int, double, string, bool or null),
    /// checked on its own; a relative dataset path is resolved against <paramref name="planDir"/>.
    /// </summary>
    public object? Read(JsonElement json, string where, string planDir)
    {
        object? value = kind switch
        {
            Kind.Integer when json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out int i) => i,
            Kind.Number when json.ValueKind == JsonValueKind.Number => json.GetDouble(),
            Kind.Text when json.ValueKind == JsonValueKind.String => json.GetString(),
            Kind.Flag when json.ValueKind is JsonValueKind.True or JsonValueKind.False => json.GetBoolean(),
            Kind.Path when json.ValueKind == JsonValueKind.Null => null,
            Kind.Path when json.ValueKind == JsonValueKind.String && json.GetString() is { Length: > 0 } p => Path.GetFullPath(p, planDir),
            _ => throw new SbvaeException($"{where}: expected {Expected()}, got {Shown(json)}"),
        };
        try
        {
            var config = Apply(new RunConfig(new ModelConfig(), new TrainConfig()), value);
            config.Model.Validate();
            config.Train.Validate();
        }
        catch (SbvaeException e)
        {
            throw new SbvaeException($"{where}: {e.Message}");
        }
        return value;
    }

    public RunConfig Apply(RunConfig config, object? value) => apply(config, value);

    string Expected() => kind switch
    {
        Kind.Integer => "an integer",
        Kind.Number => "a number",
        Kind.Text => "a string",
        Kind.Flag => "true or false",
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
        string s when kind == Kind.Path => Path.GetFileNameWithoutExtension(s),
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
