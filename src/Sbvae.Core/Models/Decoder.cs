using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Models;

/// <summary>p(x|z)'s mean μ_D: maps codes (B, k) to images (B, C, H, W).</summary>
public abstract class Decoder(string name) : Module<Tensor, Tensor>(name);
