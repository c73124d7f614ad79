using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// FactorVAE (Kim &amp; Mnih 2018, "Disentangling by Factorising", eq. 2): regulariser
/// mean_i KL_i + γ·TC, TC ≈ mean_i [D(z_i)₀ − D(z_i)₁], the density-ratio trick: the discriminator's
/// logit difference estimates log q(z)/Π_d q(z_d). Class 0 is "a code of the batch", class 1 "a code
/// with each dimension permuted across the batch" (<see cref="DimensionPermutation"/>). As
/// disentanglement_lib methods/unsupervised/vae.py FactorVAE.model_fn (tc_loss, factor_vae_loss).
/// Logs "tc", that mean.
/// <para>
/// The logits passed in must be the discriminator's on the sampled z itself, not detached, so the TC
/// term's gradient reaches the encoder. One training step, in this order:
/// (1) logits = D(z); VAE loss = mean(reconstruction) + Regularizer(…, logits).Loss;
/// (2) the VAE's backward and optimizer step;
/// (3) the discriminator's update: zero its gradients (step 2 left γ·TC's on them), then
/// <see cref="FactorVaeDiscriminatorLoss.Compute"/> on D(z.detach()) and D(permute(z.detach())),
/// backward, step.
/// The VAE's backward must come before the discriminator's weights change: D(z)'s graph saved those
/// weights, and an optimizer step updates them in place, after which libtorch refuses that backward
/// ("modified by an inplace operation"). (disentanglement_lib computes both updates from the same
/// forward pass, with each optimizer restricted to its own variables.)
/// </para>
/// </summary>
public sealed class FactorVae : Objective
{
    public double Gamma { get; }

    public FactorVae(double gamma)
    {
        NonNegative(gamma, "gamma");
        Gamma = gamma;
    }

    public override string Name => "factorvae";

    public override ObjectiveTerms Regularizer(Tensor mu, Tensor logVar, Tensor z, Tensor kl, long step, Tensor? discriminatorLogits = null)
    {
        ArgumentNullException.ThrowIfNull(discriminatorLogits, nameof(discriminatorLogits));
        if (discriminatorLogits.dim() != 2 || discriminatorLogits.shape[1] != 2)
            throw new ArgumentException($"discriminator logits must be (B, 2), got ({string.Join(", ", discriminatorLogits.shape)})", nameof(discriminatorLogits));
        using var scope = NewDisposeScope();
        using var g = Gamma.ToScalar(); // held, not implicit: see LossTerms.Compute
        var tc = discriminatorLogits[.., 0].sub(discriminatorLogits[.., 1]).mean();
        var loss = MeanKl(kl).add(tc, g);
        return new ObjectiveTerms
        {
            Loss = loss.MoveToOuterDisposeScope(),
            Logged = new Dictionary<string, Tensor> { ["tc"] = Logged(tc) },
        };
    }
}
