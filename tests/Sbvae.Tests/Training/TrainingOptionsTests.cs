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
    static readonly Dictionary<string, string> TextSamples = new()
    {
        ["device"] = "cuda", ["precision"] = "fp32", ["objective"] = "factorvae", ["likelihood"] = "bernoulli",
    };

    // An option that only some objective or likelihood uses is given with one of them (alone it is refused).
    static readonly Dictionary<string, (string Key, object Value)> Companions = new()
    {
        ["gamma"] = ("objective", "factorvae"),
        ["lambda_od"] = ("objective", "dipvae1"),
        ["lambda_d"] = ("objective", "dipvae1"),
        ["capacity_max"] = ("objective", "annealed"),
        ["capacity_steps"] = ("objective", "annealed"),
        ["scale"] = ("likelihood", "laplace"),
        ["log_every"] = ("steps", 1000),
    };

    // Config fields that are not declared options, and why.
    static readonly string[] NotOptions =
    [
        "Model.Decoder",   // --decoder is train's own: compare and the experiments train both decoders
        "Model.ImageSize", // the dataset's
    ];

    public static TheoryData<string> Keys => [.. TrainingOptions.All.Select(o => o.Key)];
    public static TheoryData<string> ResumableKeys => [.. TrainingOptions.All.Where(o => o.Resumable).Select(o => o.Key)];

    static TrainingOption Option(string key) => TrainingOptions.All.Single(o => o.Key == key);

    /// <summary>A valid value other than the default (a number where the default is none: the method's own).</summary>
    static object? Sample(TrainingOption o)
    {
        object? sample = o.Kind switch
        {
            OptionKind.Integer when o.Key == "img_size" => 32, // a multiple of 16
            OptionKind.Integer => o.DefaultValue is int i ? i + 2 : 3,
            OptionKind.Number => o.DefaultValue is double d ? (d is not 0 ? d * 2 : 0.5) : 0.5,
            OptionKind.Flag => !(bool)o.DefaultValue!,
            OptionKind.Path => Path.Combine(Path.GetTempPath(), "sample.npz"),
            _ => TextSamples.TryGetValue(o.Key, out var s) ? s : throw new Xunit.Sdk.XunitException($"give the text option {o.Flag} a sample value"),
        };
        Assert.NotEqual(o.DefaultValue, sample);
        return sample;
    }

    /// <summary>The option another needs beside it, at the value it needs, if any.</summary>
    static (TrainingOption Option, object Value)? Companion(TrainingOption o) =>
        Companions.TryGetValue(o.Key, out var c) ? (Option(c.Key), c.Value) : null;

    /// <summary>The reference configuration with <paramref name="o"/>'s companion, if any.</summary>
    static RunConfig Base(TrainingOption o) => Companion(o) is { } c ? c.Option.With(RunConfig.Default, c.Value) : RunConfig.Default;

    /// <summary>The reference configuration with only <paramref name="o"/> at its sample (and its companion).</summary>
    static RunConfig Expected(TrainingOption o) => o.With(Base(o), Sample(o));

    /// <summary><paramref name="o"/> at its sample on the command line, alone.</summary>
    static string[] OwnArgs(TrainingOption o) => o.Kind == OptionKind.Flag ? [o.Flag] : [o.Flag, Convert.ToString(Sample(o), CultureInfo.InvariantCulture)!];

    /// <summary><paramref name="o"/> at its sample on the command line, with its companion.</summary>
    static string[] Args(TrainingOption o) => Companion(o) is { } c ? [c.Option.Flag, Convert.ToString(c.Value, CultureInfo.InvariantCulture)!, .. OwnArgs(o)] : OwnArgs(o);

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
        string companion = Companion(o) is { } c ? $"\"{c.Option.Key}\": {JsonSerializer.Serialize(c.Value)}, " : "";
        string json = $"{{\"base\": {{{companion}\"{o.Key}\": {JsonSerializer.Serialize(Sample(o))}}}}}";
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
        Assert.Equal(["epochs", "steps", "threads", "skip_bad_images", "cache_dir", "precision"], TrainingOptions.All.Where(o => o.Resumable).Select(o => o.Key));
        var resumable = TrainingOptions.All.Where(o => o.Resumable).ToList();
        var (options, p) = ParseTrain(["--resume", "run", .. resumable.SelectMany(Args)]);
        options.RefuseChanges(p, RunConfig.Default);
        var resumed = RunConfig.Default with { Train = options.ResumeChanges(p).Apply(RunConfig.Default.Train) };
        foreach (var o in TrainingOptions.All)
        {
            Assert.Equal(o.Resumable ? Sample(o) : o.DefaultValue, o.ValueIn(resumed));
            if (o.Resumable) Assert.Equal(RunConfig.Default.Model, Expected(o).Model);
            else Assert.Throws<ArgumentException>(() => ResumeChanges.None.Set(o, Sample(o)));
        }
    }

    public static TheoryData<string> FixedKeys => [.. TrainingOptions.All.Where(o => !o.Resumable && o != TrainingOptions.Dataset).Select(o => o.Key)];

    [Theory, MemberData(nameof(FixedKeys))]
    public void ResumeRefusesChangingWhatARunLearns(string key)
    {
        var o = Option(key);
        // Another value than the run's: refused, naming the option and the run's value.
        var (options, p) = ParseTrain(["--resume", "run", .. OwnArgs(o)]);
        var e = Assert.Throws<SbvaeException>(() => options.RefuseChanges(p, RunConfig.Default));
        Assert.Contains(o.Flag, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        // The run's own value may be repeated.
        (options, p) = ParseTrain(["--resume", "run", .. OwnArgs(o)]);
        options.RefuseChanges(p, Expected(o));
        // On the command line: one line, exit code 2, the run untouched.
        string run = ResumableRun.Value;
        byte[] before = File.ReadAllBytes(Path.Combine(run, "checkpoint.safetensors"));
        var r = Cli.Run(["train", "--resume", run, .. OwnArgs(o)]);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Err}");
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(o.Flag + " cannot change", r.Err);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(run, "checkpoint.safetensors")));
    }

    [Fact]
    public void ResumeTakesTheDatasetWhereverItIsNow()
    {
        var (options, p) = ParseTrain(["--resume", "run", .. Args(TrainingOptions.Dataset)]);
        options.RefuseChanges(p, RunConfig.Default); // the run's dataset is the reference (null): not refused
        Assert.Equal(RunConfig.Default.Train, options.ResumeChanges(p).Apply(RunConfig.Default.Train));
    }

    /// <summary>A finished one-epoch run on the tiny images at the reference settings but for the image size.</summary>
    static readonly Lazy<string> ResumableRun = new(() =>
    {
        string dir = Path.Combine(TestData.TempDir("options-resume"), "run");
        Sbvae.Runs.TrainingSession.Start(dir, RunConfig.Default with
        {
            Model = RunConfig.Default.Model with { ImageSize = 16 },
            Train = RunConfig.Default.Train with { Epochs = 1, Threads = 1, Precision = "fp32" },
        }, TestData.Tiny());
        return dir;
    });

    [Fact]
    public void ImportSetsTheFieldsItTakes()
    {
        var taken = TrainingOptions.All.Where(o => o.Import is not null).ToList();
        Assert.Equal(["latent", "variance", "beta", "unpadded", "likelihood", "scale"], taken.Select(o => o.Key));
        string dir = TestData.TempDir("options-import");
        foreach (var o in taken)
        {
            // weights that hold the inferred sample; without coordinate grids, --unpadded decides
            var weights = ReferenceWeights.Create("sbd", TrainingOptions.Latent.Get(Expected(o)), imageSize: 16);
            string file = weights.SavePt(Path.Combine(dir, $"{o.Key}.pt"), ReferenceWeights.GridStorage.Missing);
            string run = Path.Combine(dir, $"run-{o.Key}");

            var result = Cli.Run(["import", file, "--decoder", "sbd", "--out", run, .. Args(o)]);
            Assert.True(result.ExitCode == 0, $"{o.Flag}: {result.Err}");
            var config = RunConfig.FromJson(File.ReadAllText(Path.Combine(run, "config.json")), "config.json");
            Assert.Equal(Sample(o), o.ValueIn(config));
            Assert.Equal(Expected(o).Model with { ImageSize = 16 }, config.Model);
        }
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
            if (!o.Import.IsInferred) Assert.Equal(Expected(o), options.Apply(Base(o)));
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
        // --out, --resume, --no-lock and --no-tensorboard say where and how this one command runs, not what the run is
        var train = TrainCommand.Create().Options.Select(o => o.Name).Except(["--out", "--resume", "--no-lock", "--no-tensorboard"]);
        // (a plan's experiment settings — region, object_size, strength — are the experiment command's options, not train's)
        Assert.Equal(PlanOption.All.Where(k => k.Experiment is null).Select(k => "--" + k.Key.Replace('_', '-')).Order(), train.Order());
        Assert.All(PlanOption.All.Where(k => k.Experiment is not null), k => Assert.Contains("--" + k.Key.Replace('_', '-'),
            ExperimentCommand.Create().Subcommands.Single(c => c.Name == Sbvae.Experiments.ExperimentData.Name(k.Experiment!.Value)).Options.Select(o => o.Name)));
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
            var changed = Changed(Base(o), Expected(o));
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
        Assert.True(config.Model.HasReferenceObjective()); // a run from before the objectives trained β-VAE, Gaussian
        using var before = JsonDocument.Parse(written);
        using var after = JsonDocument.Parse(config.ToJson());
        // every key where it was; the objective's settings added to the model's, written even when null (the method's default)
        string[] added = ["model.objective", "model.likelihood", "model.scale", "model.gamma", "model.lambda_od", "model.lambda_d",
            "model.capacity_max", "model.capacity_steps", "train.steps", "train.log_every", "train.img_size", "train.channels", "train.skip_bad_images", "train.cache_dir"];
        Assert.Equal(Names(before.RootElement), Names(after.RootElement).Except(added));
        Assert.Equal(added.Order(), Names(after.RootElement).Except(Names(before.RootElement)).Order());
        Assert.Equal(config, RunConfig.FromJson(config.ToJson(), "config.json"));
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
