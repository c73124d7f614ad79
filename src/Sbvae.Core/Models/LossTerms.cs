using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Models;

/// <summary>
/// The two terms of the negative ELBO, per image (SPEC §4), and the batch loss
/// mean(reconstruction + β·KL) that is minimised. (The engine's loss kernel returns the same
/// three, of which only the loss carries gradients.)
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
        // Scalars held until the end: TorchSharp passes an implicit one (tensor · double, square()'s
        // exponent, the alpha of add) to libtorch without keeping it alive, so a GC triggered by
        // another thread (the split training step) can finalise it while libtorch still reads it.
        using var twiceVariance = (2 * variance).ToScalar();
        using var one = 1.0.ToScalar();
        using var b = beta.ToScalar();
        using var two = 2.ToScalar();
        var recon = (x - xHat).pow(two).flatten(1).sum(1).div(twiceVariance);
        var kl = KlDivergence(mu, logVar);
        var loss = recon.add(kl.mul(b), one).mean();
        return new LossTerms
        {
            Reconstruction = recon.MoveToOuterDisposeScope(),
            Kl = kl.MoveToOuterDisposeScope(),
            Loss = loss.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>KL(q(z|x) ‖ N(0, I)) = −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j) per image, shape (B).</summary>
    public static Tensor KlDivergence(Tensor mu, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        using var one = 1.0.ToScalar(); // held, not implicit: see Compute
        using var minusHalf = (-0.5).ToScalar();
        using var two = 2.ToScalar();
        return logVar.add(one, one).sub(mu.pow(two)).sub(logVar.exp()).sum(1).mul(minusHalf).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Reconstruction.Dispose();
        Kl.Dispose();
        Loss.Dispose();
    }
}
