using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// The fast CPU step: the model's function through the levers of <see cref="Options"/>
/// (<see cref="EngineForward"/>), Adam in one pass per tensor, and on the bf16 path the batch
/// split across cores (<see cref="SplitBatchStep"/>).
/// </summary>
public sealed class CpuEngine : IEngine
{
    private readonly Vae model;
    private readonly Adam optimizer;
    private readonly TrainingObjective objective;
    private readonly EngineForward forward;
    private readonly int threads = get_num_threads(); // the run's libtorch thread count, set before the engine is built
    private readonly CoreShare.Lease? cores;
    private SplitBatchStep? split;

    public EngineOptions Options { get; }

    /// <param name="cores">The cores this run may use now when it shares the machine with other runs; null = one per thread.
    /// Only the split batch follows it (the other steps use libtorch's threads).</param>
    public CpuEngine(Vae model, Adam optimizer, TrainingObjective objective, EngineOptions options, CoreShare.Lease? cores = null)
    {
        this.model = model;
        this.optimizer = optimizer;
        this.objective = objective;
        this.cores = cores;
        Options = options;
        forward = new EngineForward(model, options);
    }

    /// <summary>Whether each core computes a share of the batch (<see cref="EngineOptions.SplitBatch"/>).</summary>
    bool SplitsBatch => Options.SplitBatch && threads > 1 && model.parameters().First().device_type == DeviceType.CPU;

    public IDisposable Start()
    {
        if (!SplitsBatch) return new Stop(null);
        split = new SplitBatchStep(model, optimizer, forward, objective, threads, cores); // lives for this run only
        LibtorchThreads.Set(1); // this thread computes share 0
        return new Stop(() =>
        {
            split.Dispose();
            split = null;
            LibtorchThreads.Set(threads);
        });
    }

    public StepSums? Step(Tensor x, Tensor eps, long step) =>
        split is not null ? split.Run(x, eps, step)
        : objective.IsReference ? WholeBatchStep.Run(forward, optimizer, x, eps, Options.FusedAdam)
        : ObjectiveStep.Whole(forward, optimizer, objective, x, eps, step, Options.FusedAdam);

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x) => forward.Encode(x);
    public Tensor Decode(Tensor z) => forward.Decode(z);
    public Tensor Reconstruct(Tensor x) => forward.Reconstruct(x);

    public void Dispose() => split?.Dispose();

    sealed class Stop(Action? stop) : IDisposable
    {
        public void Dispose() => stop?.Invoke();
    }
}
