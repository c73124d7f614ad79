using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Sbvae.Cli.Commands;
using Sbvae.Interop;
using Sbvae.Models;
using Sbvae.Sweeps;
using Sbvae.Tests.Interop;
using Sbvae.Training;

namespace Sbvae.Tests.Training;

/// <summary>
/// Every declared training option reaches the same configuration field by every road: the
/// command line, a plan key, config.json, train --resume and import.
/// </summary>
public class TrainingOptionsTests
{
    // Text has no generic "other value": a new text option needs a valid sample here.
    static readonly Dictionary<string, string> TextSamples = new() { ["device"] = "cuda", ["precision"] = "fp32" };

    // Config fields that are not declared options, and why.
    static readonly string[] NotOptions =
    [
        "Model.Decoder",   // --decoder is train's own: compare and the experiments train both decoders
        "Model.ImageSize", // the dataset's
    ];

    public static TheoryData<string> Keys => [.. TrainingOptions.All.Select(o => o.Key)];
    public static TheoryData<string> ResumableKeys => [.. TrainingOptions.All.Where(o => o.Resumable).Select(o => o.Key)];

    static TrainingOption Option(string key) => TrainingOptions.All.Single(o => o.Key == key);

    /// <summary>A valid value other than the default.</summary>
    static object? Sample(TrainingOption o)
    {
        object? sample = o.Kind switch
        {
            OptionKind.Integer => (int)o.DefaultValue! + 2,
            OptionKind.Number => (double)o.DefaultValue! is var d and not 0 ? d * 2 : 0.5,
            OptionKind.Flag => !(bool)o.DefaultValue!,
            OptionKind.Path => Path.Combine(Path.GetTempPath(), "sample.npz"),
            _ => TextSamples.TryGetValue(o.Key, out var s) ? s : throw new Xunit.Sdk.XunitException($"give the text option {o.Flag} a sample value"),
        };
        Assert.NotEqual(o.DefaultValue, sample);
        return sample;
    }

    /// <summary>The reference configuration with only <paramref name="o"/> at its sample.</summary>
    static RunConfig Expected(TrainingOption o) => o.With(RunConfig.Default, Sample(o));

    static string[] Args(TrainingOption o) => o.Kind == OptionKind.Flag ? [o.Flag] : [o.Flag, Convert.ToString(Sample(o), CultureInfo.InvariantCulture)!];

    static (TrainOptions Options, ParseResult Parse) ParseTrain(params string[] args)
    {
        var options = new TrainOptions();
        var p = TrainCommand.Create(options).Parse(args);
        Assert.Empty(p.Errors);
        return (options, p);
    }

    [Theory, MemberData(nameof(Keys))]
    public void CommandLineSetsTheField(string key)
    {
        var o = Option(key);
        var (options, p) = ParseTrain(["--out", "run", .. Args(o)]);
        Assert.Equal(Expected(o), options.ToConfig(p, DecoderKind.Sbd, RunConfig.Default.Model.ImageSize));
    }

    [Theory, MemberData(nameof(Keys))]
    public void PlanKeySetsTheField(string key)
    {
        var o = Option(key);
        string json = $"{{\"base\": {{\"{o.Key}\": {JsonSerializer.Serialize(Sample(o))}}}}}";
        var entry = SweepPlan.Parse(json, "plan.json", Path.GetTempPath()).Entries.Single();
        Assert.Equal(Expected(o), entry.Config(RunConfig.Default.Model.ImageSize));
    }

    [Theory, MemberData(nameof(Keys))]
    public void ConfigJsonKeepsTheField(string key)
    {
        var config = Expected(Option(key));
        Assert.Equal(config, RunConfig.FromJson(config.ToJson(), "config.json"));
    }

    [Theory, MemberData(nameof(ResumableKeys))]
    public void ResumeChangesTheField(string key)
    {
        var o = Option(key);
        var (options, p) = ParseTrain(["--resume", "run", .. Args(o)]);
        Assert.Equal(Expected(o).Train, options.ResumeChanges(p).Apply(RunConfig.Default.Train));
        // a planned run that is continued (compare, sweeps) takes it from its configuration
        Assert.Equal(Expected(o).Train, ResumeChanges.Toward(Expected(o)).Apply(RunConfig.Default.Train));
    }

    [Fact]
    public void ResumeChangesOnlyHowLongAndHowARunComputes()
    {
        Assert.Equal(["epochs", "threads", "precision"], TrainingOptions.All.Where(o => o.Resumable).Select(o => o.Key));
        var (options, p) = ParseTrain(["--resume", "run", .. TrainingOptions.All.SelectMany(Args)]);
        var resumed = RunConfig.Default with { Train = options.ResumeChanges(p).Apply(RunConfig.Default.Train) };
        foreach (var o in TrainingOptions.All)
        {
            Assert.Equal(o.Resumable ? Sample(o) : o.DefaultValue, o.ValueIn(resumed));
            if (o.Resumable) Assert.Equal(RunConfig.Default.Model, Expected(o).Model);
            else Assert.Throws<ArgumentException>(() => ResumeChanges.None.Set(o, Sample(o)));
        }
    }

    [Fact]
    public void ImportSetsTheFieldsItTakes()
    {
        var taken = TrainingOptions.All.Where(o => o.Import is not null).ToList();
        Assert.Equal(["latent", "variance", "beta", "unpadded"], taken.Select(o => o.Key));
        var expected = taken.Aggregate(RunConfig.Default, (c, o) => o.With(c, Sample(o)));
        // weights that hold the inferred samples; without coordinate grids, --unpadded decides
        var weights = ReferenceWeights.Create("sbd", TrainingOptions.Latent.Get(expected), imageSize: 16);
        string dir = TestData.TempDir("options-import");
        string file = weights.SavePt(Path.Combine(dir, "m.pt"), ReferenceWeights.GridStorage.Missing);
        string run = Path.Combine(dir, "run");

        var result = Cli.Run(["import", file, "--decoder", "sbd", "--out", run, .. taken.SelectMany(Args)]);
        Assert.True(result.ExitCode == 0, result.Err);
        var config = RunConfig.FromJson(File.ReadAllText(Path.Combine(run, "config.json")), "config.json");
        foreach (var o in taken) Assert.Equal(Sample(o), o.ValueIn(config));
    }

    [Fact]
    public void ImportOptionsSetStatedAndCheckInferredOnes()
    {
        foreach (var o in TrainingOptions.All)
        {
            if (o.Import is null)
            {
                Assert.Throws<ArgumentException>(() => new ImportOptions().With(o, Sample(o)));
                continue;
            }
            var options = new ImportOptions().With(o, Sample(o));
            if (!o.Import.IsInferred) Assert.Equal(Expected(o), options.Apply(RunConfig.Default));
            else
            {
                Assert.Equal(Expected(o), options.Apply(Expected(o)));
                Assert.Contains(o.Flag, Assert.Throws<SbvaeException>(() => options.Apply(RunConfig.Default)).Message);
            }
        }
    }

    [Fact]
    public void TrainsOptionsAreThePlanKeys()
    {
        // --out, --resume and --no-lock say where and how this one command runs, not what the run is
        var train = TrainCommand.Create().Options.Select(o => o.Name).Except(["--out", "--resume", "--no-lock"]);
        Assert.Equal(PlanOption.All.Select(k => "--" + k.Key.Replace('_', '-')).Order(), train.Order());
        // the commands that train a pair take every declared option too
        var pairs = new[] { CompareCommand.Create() }.Concat(ExperimentCommand.Create().Subcommands);
        Assert.All(pairs, cmd => Assert.Superset(TrainingOptions.All.Select(o => o.Flag).ToHashSet(), cmd.Options.Select(o => o.Name).ToHashSet()));
    }

    [Fact]
    public void EveryConfigFieldIsAnOptionOrExcluded()
    {
        var fields = Fields(RunConfig.Default).Keys.ToList();
        var covered = new List<string>();
        foreach (var o in TrainingOptions.All)
        {
            var changed = Changed(RunConfig.Default, Expected(o));
            Assert.True(changed.Count == 1, $"{o.Flag} sets {changed.Count} fields: {string.Join(", ", changed)}");
            Assert.Equal(o.IsModel ? "Model." : "Train.", changed[0][..6]);
            covered.Add(changed[0]);
        }
        Assert.Equal(covered.Count, covered.Distinct().Count());
        Assert.Empty(covered.Intersect(NotOptions));
        Assert.Equal(fields.Order(), covered.Concat(NotOptions).Order());
        // a flag turns something on: one that defaulted to on could not be turned off
        Assert.All(TrainingOptions.All.Where(o => o.Kind == OptionKind.Flag), o => Assert.Equal(false, o.DefaultValue));
    }

    [Fact]
    public void ConfigJsonLayoutIsUnchanged()
    {
        // config.json as run folders hold it: they must still load, and be written the same way
        const string written = """
            {
              "model": {"decoder": "deconv", "latent": 7, "image_size": 32, "variance": 0.6, "beta": 2, "unpadded": true},
              "train": {"epochs": 152, "batch": 18, "learning_rate": 0.0006, "seed": 2, "threads": 2, "device": "cuda",
                        "dataset": "/data/x.npz", "checkpoint_every": 3, "precision": "fp32"}
            }
            """;
        var config = RunConfig.FromJson(written, "config.json");
        var expected = new RunConfig(
            new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 7, ImageSize = 32, Variance = 0.6, Beta = 2, Unpadded = true },
            new TrainConfig { Epochs = 152, Batch = 18, LearningRate = 6e-4, Seed = 2, Threads = 2, Device = "cuda", Dataset = "/data/x.npz", CheckpointEvery = 3, Precision = "fp32" });
        Assert.Equal(expected, config);
        using var before = JsonDocument.Parse(written);
        using var after = JsonDocument.Parse(config.ToJson());
        Assert.Equal(Names(before.RootElement), Names(after.RootElement));
    }

    static List<string> Names(JsonElement e) =>
        [.. e.EnumerateObject().SelectMany(p => p.Value.ValueKind == JsonValueKind.Object ? Names(p.Value).Select(n => p.Name + "." + n) : [p.Name])];

    static Dictionary<string, object?> Fields(RunConfig c)
    {
        var fields = new Dictionary<string, object?>();
        foreach (var (part, value) in new (string, object)[] { ("Model", c.Model), ("Train", c.Train) })
            foreach (var p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                fields[$"{part}.{p.Name}"] = p.GetValue(value);
        return fields;
    }

    static List<string> Changed(RunConfig a, RunConfig b)
    {
        var (fa, fb) = (Fields(a), Fields(b));
        return [.. fa.Keys.Where(k => !Equals(fa[k], fb[k]))];
    }
}
