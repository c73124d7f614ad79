using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>A model's inference pass: what evaluation, figures and the explorer ask of it (no gradients kept).</summary>
public interface IInference
{
    /// <summary>q(z|x)'s μ and log σ², each (B, k).</summary>
    (Tensor Mu, Tensor LogVar) Encode(Tensor x);
    /// <summary>μ_D(z), (B, C, H, W).</summary>
    Tensor Decode(Tensor z);
    /// <summary>μ_D(μ(x)): the decoded posterior mean, not clamped.</summary>
    Tensor Reconstruct(Tensor x);
}
