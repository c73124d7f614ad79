using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Models;

/// <summary>
/// q(z|x): four 4×4 stride-2 convs (3→64→64→64→64), a 256-unit layer, and two linear heads
/// for μ and log σ² (SPEC §3). Field and index names match the reference PyTorch state_dict
/// (encoder.encoder_conv.{0,2,4,6,9}, encoder.fc_mu.0, encoder.fc_log_var.0).
/// </summary>
public sealed class Encoder : Module<Tensor, (Tensor Mu, Tensor LogVar)>
{
    private readonly Sequential encoder_conv;
    private readonly Sequential fc_mu;
    private readonly Sequential fc_log_var;

    public Encoder(int latent, int imageSize, int channels = 3) : base(nameof(Encoder))
    {
        int side = imageSize / 16; // four stride-2 convs halve the image four times
        encoder_conv = Sequential(
            Conv2d(channels, 64, 4, stride: 2, padding: 1), ReLU(),
            Conv2d(64, 64, 4, stride: 2, padding: 1), ReLU(),
            Conv2d(64, 64, 4, stride: 2, padding: 1), ReLU(),
            Conv2d(64, 64, 4, stride: 2, padding: 1), ReLU(),
            Flatten(), // channel-major (C, H, W), as the reference
            Linear(64 * side * side, 256), ReLU());
        fc_mu = Sequential(Linear(256, latent));
        fc_log_var = Sequential(Linear(256, latent));
        RegisterComponents();
    }

    /// <summary>The convs, the flatten and the 256-unit layer, each followed by its relu.</summary>
    internal Sequential Body => encoder_conv;
    internal Linear MuHead => (Linear)fc_mu[0];
    internal Linear LogVarHead => (Linear)fc_log_var[0];

    public override (Tensor Mu, Tensor LogVar) forward(Tensor x)
    {
        using var features = encoder_conv.forward(x);
        return (fc_mu.forward(features), fc_log_var.forward(features));
    }
}
