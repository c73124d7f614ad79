using System.Diagnostics;
using Sbvae.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>Progress after a step, for progress bars.</summary>
public readonly record struct StepProgress(int Epoch, int Step, int StepsPerEpoch, double Kl, double Reconstruction, double ImagesPerSecond);

/// <summary>Raised when the loss stops being a finite number; the weights are those before the bad step.</summary>
public sealed class NonFiniteLossException(int epoch, long step)
    : SbvaeException($"the loss became non-finite at epoch {epoch + 1}, step {step}; training stopped and the last good checkpoint is kept (try a lower --lr, then --resume)");

/// <summary>
/// The training loop (SPEC §5): Adam on mean(reconstruction + β·KL), the images shuffled every
/// epoch from (seed, epoch). It knows nothing of files: logging and checkpointing hang on its
/// events, and it stops cleanly between steps when cancelled.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Vae model;
    private readonly TrainingImages images;
    private readonly TrainConfig config;
    private readonly int threads = get_num_threads(); // the run's libtorch thread count, set before the trainer is built
    private BatchWorkers? workers;

    public TorchSharp.Modules.Adam Optimizer { get; }

    /// <summary>
    /// The cores this run may use now, when it shares the machine with other runs; null = one
    /// per thread of the run. Only the split batch path follows it (the others use libtorch's threads).
    /// </summary>
    public CoreShare.Lease? Cores { get; init; }
    public TrainingState State { get; private set; }

    public event Action<StepProgress>? StepCompleted;
    public event Action<EpochRecord, TrainingState>? EpochCompleted;

    public Trainer(Vae model, TrainingImages images, TrainConfig config, TrainingState? state = null)
    {
        this.model = model;
        this.images = images;
        this.config = config;
        model.Compute = ComputeOptions.For(PrecisionSupport.Resolve(config.Precision, model.parameters().First().device));
        Optimizer = optim.Adam(model.parameters(), lr: config.LearningRate);
        State = state ?? new TrainingState();
    }

    public int StepsPerEpoch => (images.Count + config.Batch - 1) / config.Batch;

    /// <summary>Trains until the configured epoch count; returns false if cancelled first.</summary>
    public bool Run(CancellationToken cancel)
    {
        model.train();
        if (!SplitsBatch) return RunEpochs(cancel);
        using var pool = new BatchWorkers(threads); // lives for this run only
        workers = pool;
        LibtorchThreads.Set(1); // this thread computes share 0
        try { return RunEpochs(cancel); }
        finally
        {
            workers = null;
            LibtorchThreads.Set(threads);
        }
    }

    /// <summary>Whether each core computes a share of the batch (<see cref="ComputeOptions.SplitBatch"/>), read when a run starts.</summary>
    bool SplitsBatch => model.Compute.SplitBatch && threads > 1 && model.parameters().First().device_type == DeviceType.CPU;

    /// <summary>
    /// Whether a run with <paramref name="train"/> splits its batch into shares, so that it can
    /// share the machine's cores with other runs without changing its numbers (<see cref="Cores"/>).
    /// </summary>
    public static bool SplitsBatchFor(TrainConfig train)
    {
        if (train.ThreadCount() < 2 || train.Device != "cpu") return false;
        return ComputeOptions.For(PrecisionSupport.Resolve(train.Precision, CPU)).SplitBatch;
    }

    private bool RunEpochs(CancellationToken cancel)
    {
        int n = images.Count, steps = StepsPerEpoch;
        while (State.Epoch < config.Epochs)
        {
            int epoch = State.Epoch;
            long[] order = Seeds.Permutation(n, config.Seed, epoch);
            var clock = Stopwatch.StartNew();
            double secondsBefore = State.EpochSeconds;
            var s = State;
            for (int step = s.StepInEpoch; step < steps; step++)
            {
                if (cancel.IsCancellationRequested)
                {
                    State = s with { EpochSeconds = secondsBefore + clock.Elapsed.TotalSeconds };
                    return false;
                }
                int start = step * config.Batch, count = Math.Min(config.Batch, n - start);
                StepTimeline.Point(StepTimeline.StepStart);
                var (kl, recon, loss) = TrainStep(order.AsSpan(start, count).ToArray(), s.GlobalStep, epoch);
                StepTimeline.Point(StepTimeline.StepEnd);
                s = s with
                {
                    StepInEpoch = step + 1,
                    GlobalStep = s.GlobalStep + 1,
                    EpochKlSum = s.EpochKlSum + kl,
                    EpochReconSum = s.EpochReconSum + recon,
                    EpochLossSum = s.EpochLossSum + loss,
                    EpochImages = s.EpochImages + count,
                };
                State = s;
                double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
                StepCompleted?.Invoke(new StepProgress(epoch, step + 1, steps, s.EpochKlSum / s.EpochImages,
                    s.EpochReconSum / s.EpochImages, s.EpochImages / Math.Max(seconds, 1e-9)));
            }
            double total = secondsBefore + clock.Elapsed.TotalSeconds;
            var record = new EpochRecord(epoch + 1, s.EpochKlSum / s.EpochImages, s.EpochReconSum / s.EpochImages,
                s.EpochLossSum / s.EpochImages, total, s.EpochImages / total);
            State = new TrainingState { Epoch = epoch + 1, GlobalStep = s.GlobalStep, History = [.. s.History, record] };
            EpochCompleted?.Invoke(record, State);
        }
        return true;
    }

    public void Dispose() => Optimizer.Dispose();

    /// <summary>One Adam step; returns the batch sums of KL and reconstruction and of the loss.</summary>
    private (double Kl, double Recon, double Loss) TrainStep(long[] indices, long globalStep, int epoch)
    {
        using var scope = NewDisposeScope();
        using var noise = new Generator(Seeds.NoiseSeed(config.Seed, globalStep));
        var x = images.Batch(indices);
        if (workers is not null)
            return SplitStep(x, model.Noise(indices.Length, x.device, noise), epoch, globalStep);
        using var terms = model.Loss(x, noise);
        double loss = terms.Loss.item<float>();
        if (!double.IsFinite(loss)) throw new NonFiniteLossException(epoch, globalStep);
        Optimizer.zero_grad();
        StepTimeline.Point(StepTimeline.Backward);
        terms.Loss.backward();
        StepTimeline.Point(StepTimeline.BackwardEnd);
        // The plain path keeps the textbook optimizer too: it is the reference the fast path is measured against.
        if (model.Compute == ComputeOptions.Plain || !FusedAdam.Step(Optimizer)) Optimizer.step();
        return (terms.Kl.sum().item<float>(), terms.Reconstruction.sum().item<float>(), loss * indices.Length);
    }

    /// <summary>
    /// The same step with the batch split into one share per thread of the run: each share's loss
    /// is its mean weighted by its size, so the shares' gradients sum, in share order, to the
    /// batch's. The shares stay the same when fewer cores are available (<see cref="Cores"/>):
    /// a worker then computes several, one after another, and the step's numbers do not change.
    /// </summary>
    private (double Kl, double Recon, double Loss) SplitStep(Tensor x, Tensor eps, int epoch, long globalStep)
    {
        long batch = x.shape[0];
        int shares = (int)Math.Min(workers!.Count, batch);
        int active = Math.Clamp(Cores?.Cores ?? shares, 1, shares);
        var parameters = model.parameters().ToArray();
        var grads = new Tensor[shares][];
        var sums = new (double Kl, double Recon, double Loss)[shares];
        workers.Run(active, worker =>
        {
            for (int share = worker; share < shares; share += active)
            {
                StepTimeline.Point(StepTimeline.ShareStart);
                long from = batch * share / shares, to = batch * (share + 1) / shares;
                using var scope = NewDisposeScope();
                using var terms = model.Loss(x.narrow(0, from, to - from), eps.narrow(0, from, to - from));
                using var weight = ((double)(to - from) / batch).ToScalar(); // held, not implicit: see LossTerms.Compute
                var part = terms.Loss.mul(weight);
                StepTimeline.Point(StepTimeline.Backward);
                grads[share] = [.. autograd.grad([part], parameters).Select(g => g.DetachFromDisposeScope())];
                StepTimeline.Point(StepTimeline.BackwardEnd);
                sums[share] = (terms.Kl.sum().item<float>(), terms.Reconstruction.sum().item<float>(), part.item<float>());
            }
        });
        StepTimeline.Point(StepTimeline.SharesEnd);
        try
        {
            double loss = 0;
            foreach (var s in sums) loss += s.Loss;
            if (!double.IsFinite(loss)) throw new NonFiniteLossException(epoch, globalStep);
            if (FusedAdam.Plan.For(Optimizer) is { } plan)
            {
                // Each worker sums and updates its own part of the parameters.
                var parts = Partition(parameters, active);
                workers.Run(active, worker =>
                {
                    foreach (int i in parts[worker])
                    {
                        using var sum = SumShares(grads, shares, i, parameters[i]);
                        plan.Update(i, sum);
                    }
                });
            }
            else
            {
                for (int i = 0; i < parameters.Length; i++) SumShares(grads, shares, i, parameters[i]).Dispose();
                Optimizer.step();
            }
            return (sums.Sum(s => s.Kl), sums.Sum(s => s.Recon), loss * batch);
        }
        finally
        {
            foreach (var share in grads) if (share is not null) foreach (var g in share) g.Dispose();
        }
    }

    /// <summary>Parameter <paramref name="i"/>'s gradient: the shares' gradients summed in share order, also set as its .grad.</summary>
    static Tensor SumShares(Tensor[][] grads, int shares, int i, Tensor parameter)
    {
        using var one = 1.ToScalar(); // held, not implicit: see LossTerms.Compute
        var sum = grads[0][i].contiguous(); // autograd.grad keeps the conv layouts; the fused Adam reads dense tensors
        for (int share = 1; share < shares; share++) sum.add_(grads[share][i], one);
        parameter.grad = sum;
        return sum;
    }

    /// <summary>Parameter indices in <paramref name="count"/> parts of about equal size (largest first, each to the lightest part).</summary>
    static List<int>[] Partition(Tensor[] parameters, int count)
    {
        var parts = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var load = new long[count];
        foreach (int i in Enumerable.Range(0, parameters.Length).OrderByDescending(i => parameters[i].numel()).ThenBy(i => i))
        {
            int lightest = Array.IndexOf(load, load.Min());
            parts[lightest].Add(i);
            load[lightest] += parameters[i].numel();
        }
        return parts;
    }
}
