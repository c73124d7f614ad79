using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// p(x|z) = N(μ_D, σ_x² I) with fixed variance (SPEC §4; Kingma &amp; Welling 2014, App. C.2):
/// −log p = Σ_pixels (x − μ)² / (2σ_x²) + const, the constant ½·D·log(2πσ_x²) dropped. The formula
/// and op order are those of LossTerms.Compute's reconstruction term, so both give the same bits.
/// The decoder's output is μ itself. (disentanglement_lib's l2_loss is the σ_x² = ½ case, on
/// sigmoid(logits) instead of the raw output.)
/// </summary>
public sealed class GaussianLikelihood : Likelihood
{
    /// <summary>σ_x², the fixed decoder variance.</summary>
    public double Variance { get; }

    public GaussianLikelihood(double variance)
    {
        PositiveFinite(variance, "decoder variance");
        Variance = variance;
    }

    public override string Name => "gaussian";

    public override Tensor NegativeLogLikelihood(Tensor x, Tensor output)
    {
        using var scope = NewDisposeScope();
        using var twiceVariance = (2 * Variance).ToScalar(); // held, not implicit: see LossTerms.Compute
        using var two = 2.ToScalar();
        return (x - output).pow(two).flatten(1).sum(1).div(twiceVariance).MoveToOuterDisposeScope();
    }

    public override Tensor Mean(Tensor output) => output.alias();
}
