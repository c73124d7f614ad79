using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
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
public sealed class SweepRunner(string dir, SweepPlan plan, int? threads = null, TrainingView? view = null, bool lockEntries = true, bool tensorBoard = true)
{
    public const string PlanFile = "plan.json";
    public const string MetricsFile = "metrics.json";
    /// <summary>Seed of the metrics' factor sampling, as `evaluate`'s default.</summary>
    public const int MetricSeed = 0;

    readonly Dictionary<string, ImageDataset> datasets = [];
    readonly TrainingView view = view ?? ((_, _, _, train) => train(_ => { }, _ => { }));

    public string Dir => dir;

    int Board => tensorBoard ? TensorBoardLog.DefaultEvery : 0;
    public SweepPlan Plan => plan;

    public static string EntryDir(string dir, SweepEntry e) => Path.Combine(dir, e.Name);

    /// <summary>Writes DIR/plan.json, or checks that the one there is this plan.</summary>
    public static void Prepare(string dir, SweepPlan plan)
    {
        if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
        string path = Path.Combine(dir, PlanFile);
        string json = plan.ToJson();
        if (File.Exists(path))
        {
            var existing = SweepPlan.Parse(File.ReadAllText(path), path, dir);
            if (existing.ToJson() != json)
                throw new SbvaeException($"'{dir}' holds a different plan ({PlanFile}); choose another --out or delete that folder");
            return;
        }
        AtomicFile.WriteAllText(path, json);
    }

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
        return null;
    }

    /// <summary>
    /// Trains (or continues, or skips) entry <paramref name="index"/>, then evaluates it if the
    /// plan asks; a <see cref="RunInUseException"/> if another process holds the entry.
    /// </summary>
    public EntryOutcome Run(int index, CancellationToken cancel = default)
    {
        if (index < 0 || index >= plan.Entries.Count)
            throw new SbvaeException($"index {index} is out of range: the plan has {plan.Entries.Count} entries (0–{plan.Entries.Count - 1})");
        var entry = plan.Entries[index];
        var data = Dataset(entry.Dataset);
        var config = entry.Config(data.Height);
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
        bool evaluated = plan.Metrics.Count > 0 && !File.Exists(Path.Combine(runDir, MetricsFile)) && !cancel.IsCancellationRequested;
        if (evaluated) Evaluate(runDir, data);
        return new EntryOutcome(entry, action, from, last, evaluated);
    }

    /// <summary>The metric suite on the trained model, written as `sbvae evaluate` writes metrics.json.</summary>
    void Evaluate(string runDir, ImageDataset data)
    {
        var sizes = new MetricSizes().Scaled(plan.MetricSamples);
        Dictionary<string, double> scores;
        using (var model = TrainedModel.Load(runDir))
            scores = ModelEvaluation.Evaluate(model, data, plan.Metrics, MetricSeed, sizes);
        var doc = new Dictionary<string, object>
        {
            ["source"] = Path.GetFullPath(runDir),
            ["seed"] = MetricSeed,
            ["sizes"] = sizes,
            ["metrics"] = scores,
        };
        AtomicFile.WriteAllText(Path.Combine(runDir, MetricsFile), JsonSerializer.Serialize(doc, RunConfig.Json) + "\n");
    }

    ImageDataset Dataset(string? path)
    {
        string key = path ?? "";
        if (!datasets.TryGetValue(key, out var data)) datasets[key] = data = ImageDataset.LoadOrReference(path);
        return data;
    }
}
