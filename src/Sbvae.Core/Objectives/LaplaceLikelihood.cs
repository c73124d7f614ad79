using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// p(x|z) = Π Laplace(x; μ_D, b) with fixed scale b: −log p = Σ_pixels |x − μ| / b + const. The
/// constant D·log(2b) is dropped, as the Gaussian's ½·D·log(2πσ_x²) is, so the term is 0 for a
/// perfect reconstruction. The decoder's output is μ itself (the Laplace's mean and median).
/// (Not in disentanglement_lib; the L1 counterpart of its l2_loss.)
/// </summary>
public sealed class LaplaceLikelihood : Likelihood
{
    /// <summary>b, the fixed scale (the variance is 2b²).</summary>
    public double Scale { get; }

    public LaplaceLikelihood(double scale)
    {
        PositiveFinite(scale, "Laplace scale");
        Scale = scale;
    }

    public override string Name => "laplace";

    public override Tensor NegativeLogLikelihood(Tensor x, Tensor output)
    {
        using var scope = NewDisposeScope();
        using var b = Scale.ToScalar(); // held, not implicit: see LossTerms.Compute
        return (x - output).abs().flatten(1).sum(1).div(b).MoveToOuterDisposeScope();
    }

    public override Tensor Mean(Tensor output) => output.alias();
}
