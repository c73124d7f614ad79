using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// The textbook step on any device: the model's modules in order (with the one libtorch gradient
/// fix, <see cref="SafeOutputConv"/>), one backward, TorchSharp's Adam. The reference the fast
/// engine is measured and tested against.
/// </summary>
public sealed class PlainEngine(Vae model, Adam optimizer, TrainingObjective objective) : IEngine
{
    private readonly EngineForward forward = new(model, EngineOptions.Plain);

    public EngineOptions Options => EngineOptions.Plain;

    public IDisposable Start() => new Nothing();

    public StepSums? Step(Tensor x, Tensor eps, long step) => objective.IsReference
        ? WholeBatchStep.Run(forward, optimizer, x, eps, fusedAdam: false)
        : ObjectiveStep.Whole(forward, optimizer, objective, x, eps, step, fusedAdam: false);

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x) => forward.Encode(x);
    public Tensor Decode(Tensor z) => forward.Decode(z);
    public Tensor Reconstruct(Tensor x) => forward.Reconstruct(x);

    public void Dispose() { }

    sealed class Nothing : IDisposable { public void Dispose() { } }
}
