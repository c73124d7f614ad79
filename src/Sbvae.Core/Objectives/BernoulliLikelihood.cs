using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// p(x|z) = Π Bernoulli(x; sigmoid(l)) on the decoder's logits l, for x in [0, 1] (Kingma &amp; Welling
/// 2014, App. C.1): −log p = Σ_pixels softplus(l) − x·l, the binary cross-entropy with logits in its
/// stable form (softplus never exponentiates a large positive number). As disentanglement_lib
/// methods/shared/losses.py bernoulli_loss with activation "logits" and
/// subtract_true_image_entropy=False (sigmoid_cross_entropy_with_logits summed per image). For
/// grey values of x the minimum over l is the entropy of x, not 0; it is not subtracted.
/// </summary>
public sealed class BernoulliLikelihood : Likelihood
{
    public override string Name => "bernoulli";

    public override Tensor NegativeLogLikelihood(Tensor x, Tensor output)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softplus(output).sub(x.mul(output)).flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>sigmoid(logits): the pixel probabilities.</summary>
    public override Tensor Mean(Tensor output) => output.sigmoid();
}
