using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>A training step over the whole batch at once: forward, backward, Adam.</summary>
internal static class WholeBatchStep
{
    /// <summary>The reference objective's step (β-VAE, Gaussian likelihood).</summary>
    /// <param name="fusedAdam">Adam in one pass per tensor (<see cref="FusedAdam"/>) where it applies.</param>
    public static StepSums? Run(EngineForward forward, Adam optimizer, Tensor x, Tensor eps, bool fusedAdam)
    {
        using var terms = forward.Loss(x, eps);
        double loss = terms.Loss.item<float>();
        if (!double.IsFinite(loss)) return null;
        optimizer.zero_grad();
        StepMarks.Point(StepMarks.Backward);
        terms.Loss.backward();
        StepMarks.Point(StepMarks.BackwardEnd);
        if (!fusedAdam || !FusedAdam.Step(optimizer)) optimizer.step();
        double reconstruction = terms.Reconstruction.sum().item<float>();
        return new StepSums(terms.Kl.sum().item<float>(), reconstruction, loss * x.shape[0], forward.ReferenceTerms(x, reconstruction));
    }
}
