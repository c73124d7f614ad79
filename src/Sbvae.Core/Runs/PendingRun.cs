using Sbvae.Engine;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Runs;

/// <summary>A run that still has epochs (or steps) to train, and how to start or continue it.</summary>
sealed record PendingRun(string Title, TrainingState? From, RunConfig Config,
    Func<Action<StepProgress>, Action<EpochRecord>, CancellationToken, CoreShare.Lease?, TrainOutcome> Train)
{
    /// <summary>The run in <paramref name="runDir"/> to start or to continue; null (after a note) if it is complete.</summary>
    public static PendingRun? For(string runDir, RunConfig config, IImageStore data, Action<string> note,
        int tensorboardEvery = TensorBoardLog.DefaultEvery)
    {
        string title = ModelConfig.Name(config.Model.Decoder);
        if (!File.Exists(Path.Combine(runDir, "checkpoint.safetensors")))
            return new PendingRun(title, null, config, (step, epoch, cancel, cores) => TrainingSession.Start(runDir, config, data, step, epoch, cancel, cores, tensorboardEvery));
        var run = RunFolder.Open(runDir);
        var existing = run.LoadCheckpoint();
        var continuation = ResumeChanges.Toward(config);
        if (existing.Config.Model != config.Model || continuation.Apply(existing.Config.Train) != config.Train)
            throw new SbvaeException($"'{runDir}' holds a run with another configuration; choose another --out");
        if (config.Train.IsDone(existing.State))
        {
            note($"{title}: already trained ({config.Train.Progress(existing.State)}) in {runDir}");
            return null;
        }
        return new PendingRun(title, existing.State, config,
            (step, epoch, cancel, cores) => TrainingSession.Resume(run, existing, data, continuation, step, epoch, cancel, cores, tensorboardEvery));
    }
}
