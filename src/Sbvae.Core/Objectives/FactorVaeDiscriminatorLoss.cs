using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// FactorVAE's discriminator objective (Kim &amp; Mnih 2018, Algorithm 2): classify codes of the batch as
/// class 0 and dimension-permuted codes as class 1. As disentanglement_lib
/// methods/unsupervised/vae.py FactorVAE.model_fn, whose discr_loss = 0.5·mean(log p_z[:, 0]) +
/// 0.5·mean(log p_perm[:, 1]) is a log-likelihood that its optimizer minimises negated; here the loss is
/// that negation, 0.5·(CE(logitsZ, 0) + CE(logitsPermuted, 1)), cross-entropies on log-softmax (finite
/// where dlib's log of a softmax probability can reach −∞).
/// </summary>
public static class FactorVaeDiscriminatorLoss
{
    /// <summary>
    /// Loss: scalar, differentiable in the discriminator's weights. Accuracy: the fraction of all
    /// rows of both sets classified right (argmax; a tie counts as class 0).
    /// Compute both logits on detached codes (D(z.detach()), D(Permute(z.detach()))) so that this
    /// loss cannot reach the encoder.
    /// </summary>
    public static (Tensor Loss, double Accuracy) Compute(Tensor logitsZ, Tensor logitsPermuted)
    {
        using var scope = NewDisposeScope();
        using var half = 0.5.ToScalar(); // held, not implicit: see LossTerms.Compute
        using var one = 1.ToScalar();
        var zeros = torch.zeros(logitsZ.shape[0], dtype: ScalarType.Int64, device: logitsZ.device);
        var ones = torch.ones(logitsPermuted.shape[0], dtype: ScalarType.Int64, device: logitsPermuted.device);
        var loss = nn.functional.cross_entropy(logitsZ, zeros)
            .add(nn.functional.cross_entropy(logitsPermuted, ones), one).mul(half);
        long right = logitsZ.argmax(1).eq(zeros).sum().item<long>() + logitsPermuted.argmax(1).eq(ones).sum().item<long>();
        double accuracy = (double)right / (logitsZ.shape[0] + logitsPermuted.shape[0]);
        return (loss.MoveToOuterDisposeScope(), accuracy);
    }
}
