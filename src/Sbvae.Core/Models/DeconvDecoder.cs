using Sbvae.Models.Kernels;
using TorchSharp;
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

    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var features = LowPrecision.Run(decoder_upsampling, z, Compute).view(-1, 64, grid, grid);
        var layers = decoder_deconv.children().Cast<Module<Tensor, Tensor>>().ToList();
        var h = LowPrecision.Run(layers.SkipLast(2), features, Compute); // up to the last relu
        // On the bf16 path, the last relu and layer in one hand-written pass where it applies. It
        // reads the pre-activation in bf16: rounded here if its layer ran in fp32 (small images),
        // as every bf16 layer rounds its input.
        if (Compute.OutputKernel && Compute.Dtype == ScalarType.BFloat16 && layers[^1] is ConvTranspose2d last)
        {
            var pre = h.to(ScalarType.BFloat16);
            if (OutputDeconv.Handles(pre, last)) return OutputDeconv.Apply(StepTimeline.Mark(pre, last), last).to(z.dtype).MoveToOuterDisposeScope();
        }
        return LowPrecision.Run(layers.TakeLast(2), h, Compute).to(z.dtype).MoveToOuterDisposeScope();
    }
}
