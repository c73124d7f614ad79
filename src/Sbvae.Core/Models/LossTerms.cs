using static TorchSharp.torch;

namespace Sbvae.Models;

/// <summary>
/// The two terms of the negative ELBO, per image (SPEC §4), and the batch loss
/// mean(reconstruction + β·KL) that is minimised.
/// </summary>
public sealed class LossTerms : IDisposable
{
    /// <summary>Σ_pixels (x − μ_D)² / (2σ_x²) per image, shape (B).</summary>
    public required Tensor Reconstruction { get; init; }
    /// <summary>KL(q(z|x) ‖ N(0, I)) = −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j) per image, shape (B).</summary>
    public required Tensor Kl { get; init; }
    /// <summary>Scalar: batch mean of reconstruction + β·KL.</summary>
    public required Tensor Loss { get; init; }

    public static LossTerms Compute(Tensor x, Tensor xHat, Tensor mu, Tensor logVar, double variance, double beta)
    {
        using var scope = NewDisposeScope();
        var recon = (x - xHat).square().flatten(1).sum(1).div(2 * variance);
        var kl = (1 + logVar - mu.square() - logVar.exp()).sum(1).mul(-0.5);
        var loss = (recon + beta * kl).mean();
        return new LossTerms
        {
            Reconstruction = recon.MoveToOuterDisposeScope(),
            Kl = kl.MoveToOuterDisposeScope(),
            Loss = loss.MoveToOuterDisposeScope(),
        };
    }

    public void Dispose()
    {
        Reconstruction.Dispose();
        Kl.Dispose();
        Loss.Dispose();
    }
}
