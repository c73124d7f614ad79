using System.Diagnostics;
using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>Progress after a step, for progress bars.</summary>
public readonly record struct StepProgress(int Epoch, int Step, int StepsPerEpoch, double Kl, double Reconstruction, double ImagesPerSecond)
{
    /// <summary>Steps taken by the run so far, this one included.</summary>
    public long GlobalStep { get; init; }
    /// <summary>This step's batch: its size and its sums of KL, reconstruction, loss and the other terms.</summary>
    public int BatchImages { get; init; }
    public StepSums? Batch { get; init; }
}

/// <summary>Raised when the loss stops being a finite number; the weights are those before the bad step.</summary>
public sealed class NonFiniteLossException(int epoch, long step)
    : SbvaeException($"the loss became non-finite at epoch {epoch + 1}, step {step}; training stopped and the last good checkpoint is kept (try a lower --lr, then --resume)");

/// <summary>
/// The training loop (SPEC §5): Adam on mean(reconstruction + β·KL), the images shuffled every
/// epoch from (seed, epoch) and the noise drawn from (seed, step). How a step is computed is the
/// engine's (<see cref="IEngine"/>). It knows nothing of files: logging and checkpointing hang
/// on its events, and it stops cleanly between steps when cancelled.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Vae model;
    private readonly TrainingImages images;
    private readonly TrainConfig config;

    public TorchSharp.Modules.Adam Optimizer { get; }
    public IEngine Engine { get; }
    /// <summary>The run's objective and likelihood, and FactorVAE's discriminator (saved with the checkpoint).</summary>
    public TrainingObjective Objective { get; }
    public TrainingState State { get; private set; }

    public event Action<StepProgress>? StepCompleted;
    /// <summary>A losses.csv row closed: an epoch, or in a steps run --log-every steps (and the last); after <see cref="StepCompleted"/> of its step.</summary>
    public event Action<EpochRecord, TrainingState>? EpochCompleted;

    /// <param name="options">The engine's levers; by default those of the run's precision on the model's device.</param>
    /// <param name="cores">The cores this run may use now, when it shares the machine with other runs; null = one per thread of the run.</param>
    public Trainer(Vae model, TrainingImages images, TrainConfig config, TrainingState? state = null, EngineOptions? options = null, CoreShare.Lease? cores = null)
    {
        this.model = model;
        this.images = images;
        this.config = config;
        Optimizer = optim.Adam(model.parameters(), lr: config.LearningRate);
        Objective = TrainingObjective.For(model.Config, images.Count, TotalSteps, config.Seed,
            () => ModelBuilder.BuildDiscriminator(model.Config.Latent, config.Seed, model.parameters().First().device));
        Engine = Engines.ForTraining(model, Optimizer, Objective, options ?? Engines.OptionsFor(config.Precision, model.parameters().First().device), cores);
        State = state ?? new TrainingState();
    }

    /// <summary>
    /// Whether a run with <paramref name="train"/> splits its batch into shares, so that it can
    /// share the machine's cores with other runs without changing its numbers.
    /// </summary>
    public static bool SplitsBatchFor(TrainConfig train) => Engines.SplitsBatch(train.Precision, train.Device, train.ThreadCount());

    public int StepsPerEpoch => (images.Count + config.Batch - 1) / config.Batch;

    /// <summary>The steps the run plans in all: --steps, or the epochs' steps.</summary>
    public long TotalSteps => config.Steps ?? (long)config.Epochs * StepsPerEpoch;

    /// <summary>Trains until the configured epoch or step count; returns false if cancelled first.</summary>
    public bool Run(CancellationToken cancel)
    {
        model.train();
        using var running = Engine.Start();
        return RunSteps(cancel);
    }

    /// <summary>
    /// One step after another, the images shuffled afresh at each epoch's start. A loss row
    /// (<see cref="EpochCompleted"/>) closes at each epoch's end, or in a steps run every
    /// <see cref="TrainConfig.RowSteps()"/> steps and at the last; the state's sums are the open row's.
    /// </summary>
    private bool RunSteps(CancellationToken cancel)
    {
        int n = images.Count, steps = StepsPerEpoch;
        bool bySteps = config.BySteps();
        long rowSteps = config.RowSteps(), last = config.Steps ?? 0;
        long[] order = [];
        int orderEpoch = -1;
        var clock = Stopwatch.StartNew();
        double secondsBefore = State.EpochSeconds;
        var s = State;
        while (!config.IsDone(s))
        {
            if (cancel.IsCancellationRequested)
            {
                State = s with { EpochSeconds = secondsBefore + clock.Elapsed.TotalSeconds };
                return false;
            }
            int epoch = s.Epoch, step = s.StepInEpoch;
            if (orderEpoch != epoch) (order, orderEpoch) = (Seeds.Permutation(n, config.Seed, epoch), epoch);
            int start = step * config.Batch, count = Math.Min(config.Batch, n - start);
            StepMarks.Point(StepMarks.StepStart);
            var sums = TrainStep(order.AsSpan(start, count).ToArray(), s.GlobalStep, epoch);
            StepMarks.Point(StepMarks.StepEnd);
            bool epochEnds = step + 1 == steps;
            s = s with
            {
                Epoch = epochEnds ? epoch + 1 : epoch,
                StepInEpoch = epochEnds ? 0 : step + 1,
                GlobalStep = s.GlobalStep + 1,
                EpochKlSum = s.EpochKlSum + sums.Kl,
                EpochReconSum = s.EpochReconSum + sums.Reconstruction,
                EpochLossSum = s.EpochLossSum + sums.Loss,
                EpochTermSums = Add(s.EpochTermSums, sums.Terms),
                EpochImages = s.EpochImages + count,
            };
            double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            var progress = new StepProgress(epoch, step + 1, steps, s.EpochKlSum / s.EpochImages,
                s.EpochReconSum / s.EpochImages, s.EpochImages / Math.Max(seconds, 1e-9))
            {
                GlobalStep = s.GlobalStep,
                BatchImages = count,
                Batch = sums,
            };
            EpochRecord? row = null;
            if (bySteps ? s.GlobalStep % rowSteps == 0 || s.GlobalStep == last : epochEnds)
            {
                row = new EpochRecord(epoch + 1, s.EpochKlSum / s.EpochImages, s.EpochReconSum / s.EpochImages,
                    s.EpochLossSum / s.EpochImages, seconds, s.EpochImages / seconds)
                {
                    Step = s.GlobalStep,
                    Terms = s.EpochTermSums.ToDictionary(kv => kv.Key, kv => kv.Value / s.EpochImages),
                };
                s = new TrainingState { Epoch = s.Epoch, StepInEpoch = s.StepInEpoch, GlobalStep = s.GlobalStep, History = [.. s.History, row] };
                secondsBefore = 0;
                clock.Restart();
            }
            State = s;
            StepCompleted?.Invoke(progress);
            if (row is not null) EpochCompleted?.Invoke(row, s);
        }
        return true;
    }

    static Dictionary<string, double> Add(Dictionary<string, double> sums, IReadOnlyDictionary<string, double> terms)
    {
        var total = new Dictionary<string, double>(sums);
        foreach (var (name, value) in terms) total[name] = total.GetValueOrDefault(name) + value;
        return total;
    }

    public void Dispose()
    {
        Engine.Dispose();
        Objective.Dispose();
        Optimizer.Dispose();
    }

    /// <summary>One step; returns the batch sums of KL and reconstruction and of the loss.</summary>
    private StepSums TrainStep(long[] indices, long globalStep, int epoch)
    {
        using var scope = NewDisposeScope();
        using var noise = new Generator(Seeds.NoiseSeed(config.Seed, globalStep));
        var x = images.Batch(indices);
        var eps = model.Noise(indices.Length, x.device, noise);
        return Engine.Step(x, eps, globalStep) ?? throw new NonFiniteLossException(epoch, globalStep);
    }
}
