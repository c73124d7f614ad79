using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Models;

/// <summary>
/// The baseline decoder: Linear(k→64·g²)+ReLU, reshape to (64, g, g), then 4×4 stride-2
/// transposed convs that double the side each time, the last one to 3 channels (SPEC §3).
/// At 64 px (and any multiple of 32) g = side/32 with five upsamplings, exactly the reference
/// (g = 2, 256 features); at an odd multiple of 16 g = side/16 with four.
/// Names match the reference state_dict: decoder.decoder_upsampling.0, decoder.decoder_deconv.{0,2,4,6,8}.
/// </summary>
public sealed class DeconvDecoder : Decoder
{
    private readonly Sequential decoder_upsampling;
    private readonly Sequential decoder_deconv;
    private readonly int grid;

    public DeconvDecoder(int latent, int imageSize, int channels = 3) : base(nameof(DeconvDecoder))
    {
        int upsamplings = imageSize % 32 == 0 ? 5 : 4;
        grid = imageSize >> upsamplings;
        decoder_upsampling = Sequential(Linear(latent, 64 * grid * grid), ReLU());
        var layers = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < upsamplings - 1; i++)
        {
            layers.Add(ConvTranspose2d(64, 64, 4, stride: 2, padding: 1));
            layers.Add(ReLU());
        }
        layers.Add(ConvTranspose2d(64, channels, 4, stride: 2, padding: 1));
        decoder_deconv = Sequential(layers);
        RegisterComponents();
    }

    /// <summary>The linear layer and its relu.</summary>
    internal Sequential Upsampling => decoder_upsampling;
    /// <summary>The transposed convs, each but the last followed by its relu.</summary>
    internal Sequential Deconvs => decoder_deconv;
    /// <summary>Side of the first feature map.</summary>
    internal int Grid => grid;

    public override Tensor forward(Tensor z)
    {
        using var features = decoder_upsampling.forward(z);
        using var planes = features.view(-1, 64, grid, grid);
        return decoder_deconv.forward(planes);
    }
}
