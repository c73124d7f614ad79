using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// A training step's batch sums of the KL and reconstruction terms and of the loss (its mean × batch size), and of
/// the other terms it logs (the mean image's squared error per pixel, the objective's own values), each × batch size.
/// </summary>
public sealed record StepSums(double Kl, double Reconstruction, double Loss, IReadOnlyDictionary<string, double> Terms);

/// <summary>
/// How a model's training step and inference are computed: the trainer calls this and nothing
/// else of the model's arithmetic. <see cref="PlainEngine"/> runs the textbook module graph;
/// <see cref="CpuEngine"/> computes the same function faster on the CPU. Built by <see cref="Engines"/>.
/// </summary>
public interface IEngine : IInference, IDisposable
{
    EngineOptions Options { get; }

    /// <summary>Readies the threads for a run of steps; disposing the result hands them back.</summary>
    IDisposable Start();

    /// <summary>
    /// One optimizer step on images <paramref name="x"/> (B, C, H, W) with reparameterisation noise
    /// <paramref name="eps"/> (B, k) at global step <paramref name="step"/> (for schedules). Null when the loss is
    /// not a finite number: then nothing was updated.
    /// </summary>
    StepSums? Step(Tensor x, Tensor eps, long step);
}
