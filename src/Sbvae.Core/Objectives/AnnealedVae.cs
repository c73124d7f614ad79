using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// AnnealedVAE, controlled capacity increase (Burgess et al. 2018, "Understanding disentangling in
/// β-VAE", eq. 8): regulariser γ·|mean_i KL_i − C(step)|, the target capacity C rising linearly from
/// 0 to C_max over <see cref="CapacitySteps"/> steps and then held. As disentanglement_lib
/// methods/unsupervised/vae.py AnnealedVAE.regularizer and anneal
/// (c = min(c_max, c_max·step / iteration_threshold)). Logs "capacity" = C(step).
/// </summary>
public sealed class AnnealedVae : Objective
{
    public double Gamma { get; }
    /// <summary>C_max, in nats.</summary>
    public double CapacityMax { get; }
    /// <summary>Steps until C reaches C_max (disentanglement_lib's iteration_threshold).</summary>
    public long CapacitySteps { get; }

    public AnnealedVae(double gamma, double capacityMax, long capacitySteps)
    {
        NonNegative(gamma, "gamma");
        NonNegative(capacityMax, "capacity max");
        if (capacitySteps < 1) throw new SbvaeException($"capacity steps must be at least 1, got {capacitySteps}");
        Gamma = gamma;
        CapacityMax = capacityMax;
        CapacitySteps = capacitySteps;
    }

    public override string Name => "annealed";

    /// <summary>C(step) = min(C_max, C_max·step / steps).</summary>
    public double Capacity(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Math.Min(CapacityMax, CapacityMax * step / CapacitySteps);
    }

    public override ObjectiveTerms Regularizer(Tensor mu, Tensor logVar, Tensor z, Tensor kl, long step, Tensor? discriminatorLogits = null)
    {
        using var scope = NewDisposeScope();
        using var c = Capacity(step).ToScalar(); // held, not implicit: see LossTerms.Compute
        using var g = Gamma.ToScalar();
        var loss = MeanKl(kl).sub(c).abs().mul(g);
        var capacity = full([], c, dtype: kl.dtype, device: kl.device);
        return new ObjectiveTerms
        {
            Loss = loss.MoveToOuterDisposeScope(),
            Logged = new Dictionary<string, Tensor> { ["capacity"] = Logged(capacity) },
        };
    }
}
