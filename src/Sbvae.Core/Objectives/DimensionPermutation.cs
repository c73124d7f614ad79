using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// FactorVAE's samples of Π_d q(z_d) (Kim &amp; Mnih 2018, Algorithm 2, "permute_dims"): every latent
/// dimension (column) is permuted across the batch with its own random permutation, which keeps
/// each marginal and breaks the dependence between dimensions. As disentanglement_lib
/// methods/unsupervised/vae.py shuffle_codes (tf.random_shuffle of each column z[:, i]).
/// </summary>
public static class DimensionPermutation
{
    /// <summary>
    /// z (B, k) with column d reordered by the d-th of k permutations drawn from <paramref name="g"/>
    /// (torch.randperm, on the CPU, so every device draws the same). For the discriminator's update pass
    /// z.detach(): the result is differentiable in z like any gather.
    /// </summary>
    public static Tensor Permute(Tensor z, Generator g)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (z.dim() != 2) throw new ArgumentException($"codes must be (B, k), got {z.dim()} dimensions", nameof(z));
        using var scope = NewDisposeScope();
        long b = z.shape[0], k = z.shape[1];
        var columns = new Tensor[k];
        for (long d = 0; d < k; d++) columns[d] = randperm(b, generator: g);
        var index = stack(columns, 1).to(z.device); // (B, k): index[i, d] = row that lands in row i of column d
        return z.gather(0, index).MoveToOuterDisposeScope();
    }
}
