using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Experiments;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Sweeps;

/// <summary>What running one entry did.</summary>
public enum EntryAction { AlreadyDone, Trained, Resumed, Interrupted }

public sealed record EntryOutcome(SweepEntry Entry, EntryAction Action, int FromEpoch, EpochRecord? Last, bool Evaluated);

/// <summary>Shows a training (a progress bar, epoch lines, or nothing): title, epochs, first epoch, the training to run.</summary>
public delegate TrainOutcome TrainingView(string title, TrainConfig plan, TrainingState? from, Func<Action<StepProgress>, Action<EpochRecord>, TrainOutcome> train);

/// <summary>
/// Trains the entries of a plan in DIR/&lt;entry name&gt;: a finished entry is left alone, an
/// interrupted one continues from its checkpoint, and with metrics in the plan each trained
/// model gets a metrics.json. DIR/plan.json records the plan so that a folder never mixes two.
/// Each entry's folder is locked (<see cref="RunLock"/>) while it trains, so that two tasks
/// given the same entry do not both write it; <paramref name="lockEntries"/> false is --no-lock,
/// <paramref name="tensorBoard"/> false --no-tensorboard.
/// </summary>
public sealed class SweepRunner(string dir, SweepPlan plan, int? threads = null, TrainingView? view = null, bool lockEntries = true, bool tensorBoard = true,
    Action<string>? note = null)
{
    public const string PlanFile = "plan.json";
    public const string MetricsFile = "metrics.json";
    /// <summary>An experiment entry's own results (<see cref="ExperimentScores"/>).</summary>
    public const string ExperimentFile = "experiment.json";
    /// <summary>The experiments' training sets, one file per distinct data setting, shared by the entries that use it.</summary>
    public const string DataDir = "data";
    /// <summary>Seed of the metrics' factor sampling, as `evaluate`'s default.</summary>
    public const int MetricSeed = 0;

    readonly Dictionary<string, ImageDataset> datasets = [];
    readonly Dictionary<string, ExperimentData> experimentData = [];
    readonly TrainingView view = view ?? ((_, _, _, train) => train(_ => { }, _ => { }));

    public string Dir => dir;

    int Board => tensorBoard ? TensorBoardLog.DefaultEvery : 0;
    public SweepPlan Plan => plan;

    public static string EntryDir(string dir, SweepEntry e) => Path.Combine(dir, e.Name);

    /// <summary>
    /// Writes DIR/plan.json, or checks the one there: the same plan, or one this plan extends (seeds or sizes added),
    /// which <paramref name="record"/> then replaces. Returns how many entries the plan adds to the recorded one (0 when
    /// there was none).
    /// </summary>
    public static int Prepare(string dir, SweepPlan plan, bool record = true)
    {
        if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
        string path = Path.Combine(dir, PlanFile);
        string json = plan.ToJson();
        int added = 0;
        if (File.Exists(path))
        {
            var existing = SweepPlan.Parse(File.ReadAllText(path), path, dir);
            if (existing.ToJson() == json) return 0;
            if (!Extends(plan, existing))
                throw new SbvaeException($"'{dir}' holds a different plan ({PlanFile}), which this one does not extend; choose another --out or delete that folder");
            added = plan.Entries.Count - existing.Entries.Count;
        }
        if (record) AtomicFile.WriteAllText(path, json);
        return added;
    }

    /// <summary>
    /// Whether <paramref name="plan"/> runs every entry of <paramref name="recorded"/> as it did — same name, configuration
    /// and experiment settings, scored with the same metrics — and more besides. Entry indices may move: the runs are
    /// found by name.
    /// </summary>
    public static bool Extends(SweepPlan plan, SweepPlan recorded) =>
        plan.Entries.Count > recorded.Entries.Count
        && plan.Experiment == recorded.Experiment
        && plan.Metrics.SequenceEqual(recorded.Metrics)
        && plan.MetricSamples == recorded.MetricSamples
        && recorded.Entries.All(r => plan.Entries.Any(e => e.Name == r.Name && e.Template == r.Template && e.ExperimentOptions == r.ExperimentOptions));

    /// <summary>Refuses a plan whose datasets are missing before any entry starts.</summary>
    public static void CheckDatasets(SweepPlan plan)
    {
        foreach (var path in plan.Entries.Select(e => e.Dataset).Distinct())
            if (path is not null && !File.Exists(path)) throw new SbvaeException($"dataset not found: {path}");
    }

    /// <summary>The plan a sweep folder was run with.</summary>
    public static SweepPlan LoadPlan(string dir)
    {
        if (!Directory.Exists(dir)) throw new SbvaeException($"sweep folder not found: {dir}");
        string path = Path.Combine(dir, PlanFile);
        if (!File.Exists(path)) throw new SbvaeException($"'{dir}' is not a sweep folder: it has no {PlanFile}");
        return SweepPlan.Parse(File.ReadAllText(path), path, dir);
    }

    /// <summary>Null when the entry is finished (trained to the planned epochs, and evaluated if planned), else why not.</summary>
    public static string? Unfinished(string dir, SweepPlan plan, SweepEntry e)
    {
        string run = EntryDir(dir, e);
        if (!File.Exists(Path.Combine(run, "checkpoint.safetensors"))) return "not started";
        TrainingState state;
        try { state = Checkpoint.Load(Path.Combine(run, "checkpoint.safetensors")).State; }
        catch (SbvaeException ex) { return $"unreadable checkpoint ({ex.Message})"; }
        if (!e.Template.Train.IsDone(state)) return $"trained {e.Template.Train.Progress(state)}";
        if (plan.Metrics.Count > 0 && !File.Exists(Path.Combine(run, MetricsFile))) return $"no {MetricsFile}";
        if (plan.Experiment is not null && !File.Exists(Path.Combine(run, ExperimentFile))) return $"no {ExperimentFile}";
        return null;
    }

    /// <summary>
    /// Trains (or continues, or skips) entry <paramref name="index"/>, then evaluates it if the
    /// plan asks; a <see cref="RunInUseException"/> if another process holds the entry.
    /// </summary>
    public EntryOutcome Run(int index, CancellationToken cancel = default)
    {
        var cpu = RunCpuTime.Now();
        var outcome = RunEntry(index, cancel);
        if (outcome.Action != EntryAction.AlreadyDone || outcome.Evaluated)
            RunCpuTime.Add(EntryDir(dir, outcome.Entry), RunCpuTime.Now() - cpu);
        return outcome;
    }

    EntryOutcome RunEntry(int index, CancellationToken cancel)
    {
        if (index < 0 || index >= plan.Entries.Count)
            throw new SbvaeException($"index {index} is out of range: the plan has {plan.Entries.Count} entries (0–{plan.Entries.Count - 1})");
        var entry = plan.Entries[index];
        (ExperimentData Data, string TrainFile)? experiment = entry.Experiment is null ? null : Experiment(entry);
        var data = experiment?.Data.Train ?? Dataset(entry.Dataset, entry.Template.Train.FolderSettings());
        var config = entry.Config(data.Height);
        if (experiment is not null) config = config with { Train = config.Train with { Dataset = experiment.Value.TrainFile } };
        if (threads is int t) config = config with { Train = config.Train with { Threads = t } };
        string runDir = EntryDir(dir, entry);
        string title = $"[{index}] {entry.Name}";
        using var held = RunLock.TakeIf(lockEntries, runDir);

        TrainOutcome? outcome = null;
        int from = 0;
        EpochRecord? last = null;
        bool resumed = File.Exists(Path.Combine(runDir, "checkpoint.safetensors"));
        if (resumed)
        {
            var run = RunFolder.Open(runDir);
            var existing = run.LoadCheckpoint();
            var continuation = ResumeChanges.Toward(config);
            if (existing.Config.Model != config.Model || continuation.Apply(existing.Config.Train) != config.Train)
                throw new SbvaeException($"'{runDir}' holds a run with another configuration than plan entry {index}");
            from = existing.State.Epoch;
            last = existing.State.History.LastOrDefault();
            if (!config.Train.IsDone(existing.State))
                outcome = view(title, config.Train, existing.State,
                    (step, epoch) => TrainingSession.Resume(run, existing, data, continuation, step, epoch, cancel, tensorboardEvery: Board));
        }
        else
        {
            outcome = view(title, config.Train, null,
                (step, epoch) => TrainingSession.Start(runDir, config, data, step, epoch, cancel, tensorboardEvery: Board));
        }
        if (outcome is { Completed: false })
            return new EntryOutcome(entry, EntryAction.Interrupted, from, outcome.State.History.LastOrDefault(), false);
        last = outcome?.State.History.LastOrDefault() ?? last;
        var action = outcome is null ? EntryAction.AlreadyDone : resumed ? EntryAction.Resumed : EntryAction.Trained;
        // An experiment's figures and scores use its full independent grid, as `experiment` does.
        var scored = experiment?.Data.Full ?? data;
        bool evaluated = plan.Metrics.Count > 0 && !File.Exists(Path.Combine(runDir, MetricsFile)) && !cancel.IsCancellationRequested;
        if (evaluated) Evaluate(runDir, scored, n => note?.Invoke($"[{entry.Index}] {entry.Name}: {n}"));
        if (experiment is { } e && !File.Exists(Path.Combine(runDir, ExperimentFile)) && !cancel.IsCancellationRequested)
        {
            Dictionary<string, double> values;
            using (var model = TrainedModel.Load(runDir))
                values = ExperimentScores.Measure(model, entry.Experiment!.Value, e.Data, entry.ExperimentOptions);
            var doc = new Dictionary<string, object> { ["experiment"] = ExperimentData.Name(entry.Experiment!.Value), ["values"] = values };
            AtomicFile.WriteAllText(Path.Combine(runDir, ExperimentFile), JsonSerializer.Serialize(doc, RunConfig.Json) + "\n");
            evaluated = true;
        }
        return new EntryOutcome(entry, action, from, last, evaluated);
    }

    /// <summary>The metric suite on the trained model, written as `sbvae evaluate` writes metrics.json.</summary>
    void Evaluate(string runDir, ImageDataset data, Action<string> say)
    {
        var sizes = new MetricSizes().Scaled(plan.MetricSamples);
        Dictionary<string, double> scores;
        using (var model = TrainedModel.Load(runDir))
            scores = ModelEvaluation.Evaluate(model, data, plan.Metrics, MetricSeed, sizes, say);
        var doc = new Dictionary<string, object>
        {
            ["source"] = Path.GetFullPath(runDir),
            ["seed"] = MetricSeed,
            ["sizes"] = sizes,
            ["metrics"] = scores,
        };
        AtomicFile.WriteAllText(Path.Combine(runDir, MetricsFile), JsonSerializer.Serialize(doc, RunConfig.Json) + "\n");
    }

    /// <summary>
    /// The entry's experiment data, built once per distinct setting and written to DIR/data/&lt;setting&gt;.npz (atomically,
    /// so cluster tasks that build the same file at once agree); the runs name that file as their dataset.
    /// </summary>
    (ExperimentData Data, string TrainFile) Experiment(SweepEntry entry)
    {
        var kind = entry.Experiment!.Value;
        var o = entry.ExperimentOptions;
        string setting = kind switch
        {
            ExperimentKind.HeldOut => $"region={o.Region.XMin},{o.Region.XMax},{o.Region.YMin},{o.Region.YMax}",
            ExperimentKind.Small => $"object_size={o.ObjectSize}",
            _ => $"strength={o.Strength},seed={o.Seed}",
        };
        string baseName = entry.Dataset is null ? "" : $",dataset={Path.GetFileNameWithoutExtension(entry.Dataset)}";
        string name = SweepPlan.FolderName(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ExperimentData.Name(kind)},{setting}{baseName}"));
        string path = Path.GetFullPath(Path.Combine(dir, DataDir, name + ".npz"));
        if (!experimentData.TryGetValue(path, out var data))
        {
            data = ExperimentData.Build(kind, o, entry.Dataset is null ? null : Dataset(entry.Dataset, entry.Template.Train.FolderSettings()));
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                data.Train.Save(path);
            }
            experimentData[path] = data;
        }
        return (data, path);
    }

    ImageDataset Dataset(string? path, ImageFolderSettings folder)
    {
        string key = $"{path}|{folder.Key}|{folder.CacheDir}";
        if (!datasets.TryGetValue(key, out var data)) datasets[key] = data = ImageDataset.LoadOrReference(path, folder);
        return data;
    }
}
