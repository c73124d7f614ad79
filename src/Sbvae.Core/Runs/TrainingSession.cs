using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Runs;

/// <summary>How a training session ended.</summary>
public sealed record TrainOutcome(bool Completed, TrainingState State, RunFolder Run);

/// <summary>
/// Connects the trainer to a run folder: starts or resumes a run, writes losses.csv at every row
/// (an epoch, or --log-every steps) and a checkpoint every N epochs (or steps), at the end and when interrupted.
/// </summary>
public static class TrainingSession
{




    /// <summary>Starts a new run in <paramref name="dir"/>.</summary>
    public static TrainOutcome Start(string dir, RunConfig config, IImageStore data,
        Action<StepProgress>? onStep = null, Action<EpochRecord>? onEpoch = null, CancellationToken cancel = default, CoreShare.Lease? cores = null,
        int tensorboardEvery = TensorBoardLog.DefaultEvery)
    {
        config.Model.Validate();
        config.Train.Validate();
        if (data.Height != config.Model.ImageSize)
            throw new SbvaeException($"the dataset has {data.Height}-pixel images but the model expects {config.Model.ImageSize}");
        var run = RunFolder.Create(dir);
        LibtorchThreads.Use(config.Train.Threads);
        var device = Devices.Resolve(config.Train.Device);
        using var model = ModelBuilder.Build(config.Model, config.Train.Seed, device);
        run.WriteConfig(config);
        return Train(run, model, config, data, null, onStep, onEpoch, cancel, cores, tensorboardEvery);
    }

    /// <summary>Continues the run in <paramref name="dir"/> from its checkpoint, optionally to more epochs (or steps, for a steps run).</summary>
    public static TrainOutcome Resume(string dir, IImageStore data, int? epochs = null,
        Action<StepProgress>? onStep = null, Action<EpochRecord>? onEpoch = null, CancellationToken cancel = default,
        int tensorboardEvery = TensorBoardLog.DefaultEvery, int? steps = null)
    {
        var run = RunFolder.Open(dir);
        var changes = epochs is int e ? ResumeChanges.None.Set(TrainingOptions.Epochs, e) : ResumeChanges.None;
        if (steps is int n) changes = changes.Set(TrainingOptions.Steps, n);
        return Resume(run, run.LoadCheckpoint(), data, changes, onStep, onEpoch, cancel, tensorboardEvery: tensorboardEvery);
    }

    /// <summary>Continues <paramref name="run"/> from its already loaded <paramref name="checkpoint"/>.</summary>
    public static TrainOutcome Resume(RunFolder run, Checkpoint checkpoint, IImageStore data, ResumeChanges changes,
        Action<StepProgress>? onStep = null, Action<EpochRecord>? onEpoch = null, CancellationToken cancel = default, CoreShare.Lease? cores = null,
        int tensorboardEvery = TensorBoardLog.DefaultEvery)
    {
        var config = checkpoint.Config with { Train = changes.Apply(checkpoint.Config.Train) };
        var kept = checkpoint.Config.Train;
        if (config.Train.BySteps() != kept.BySteps() || kept.BySteps() && config.Train.Epochs != kept.Epochs)
            throw new SbvaeException(kept.BySteps()
                ? "this run counts steps: resume it with --steps, not --epochs"
                : "this run counts epochs: resume it with --epochs, not --steps");
        config.Train.Validate();
        if (data.Height != config.Model.ImageSize)
            throw new SbvaeException($"the dataset has {data.Height}-pixel images but the run's model expects {config.Model.ImageSize}");
        LibtorchThreads.Use(config.Train.Threads);
        var device = Devices.Resolve(config.Train.Device);
        using var model = ModelBuilder.Build(config.Model, config.Train.Seed, device);
        checkpoint.LoadInto(model);
        run.WriteConfig(config);
        return Train(run, model, config, data, checkpoint, onStep, onEpoch, cancel, cores, tensorboardEvery);
    }

    static TrainOutcome Train(RunFolder run, Vae model, RunConfig config, IImageStore data, Checkpoint? from,
        Action<StepProgress>? onStep, Action<EpochRecord>? onEpoch, CancellationToken cancel, CoreShare.Lease? cores, int tensorboardEvery)
    {
        using var images = TrainingImages.From(data, model.parameters().First().device);
        using var trainer = new Trainer(model, images, config.Train, from?.State, cores: cores);
        from?.LoadInto(trainer.Optimizer);
        if (from is not null && trainer.Objective.Critic is { } critic) from.LoadInto(critic);
        run.WriteLosses(trainer.State.History);
        // tensorboardEvery 0: no TensorBoard events (--no-tensorboard).
        var board = tensorboardEvery > 0 ? new TensorBoardLog(run.Dir, tensorboardEvery, trainer.State.GlobalStep) : null;
        if (board is not null) trainer.StepCompleted += board.Step;
        var train = config.Train;
        // A steps run checkpoints by steps: the state is already the step's (with its row, if one closed).
        if (train.BySteps())
            trainer.StepCompleted += p =>
            {
                if (p.GlobalStep % train.CheckpointInterval() == 0 || p.GlobalStep == train.Steps)
                    Checkpoint.Save(run.CheckpointPath, model, trainer.Optimizer, config, trainer.State, trainer.Objective.Critic);
            };
        if (onStep is not null) trainer.StepCompleted += onStep;
        trainer.EpochCompleted += (record, state) =>
        {
            run.WriteLosses(state.History);
            board?.Epoch(record, state.GlobalStep);
            board?.Samples(model, images, state.GlobalStep);
            if (!train.BySteps() && (state.Epoch % train.CheckpointInterval() == 0 || train.IsDone(state)))
                Checkpoint.Save(run.CheckpointPath, model, trainer.Optimizer, config, state, trainer.Objective.Critic);
            onEpoch?.Invoke(record);
        };
        if (from is null) Checkpoint.Save(run.CheckpointPath, model, trainer.Optimizer, config, trainer.State, trainer.Objective.Critic);
        // A NonFiniteLossException propagates: the last good checkpoint stays on disk untouched.
        bool completed = trainer.Run(cancel);
        if (!completed) Checkpoint.Save(run.CheckpointPath, model, trainer.Optimizer, config, trainer.State, trainer.Objective.Critic);
        return new TrainOutcome(completed, trainer.State, run);
    }
}
