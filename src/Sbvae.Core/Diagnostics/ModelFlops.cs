using Sbvae.Models;
namespace Sbvae.Diagnostics;

/// <summary>
/// The arithmetic of the textbook model, per image: each conv, transposed conv and linear layer's
/// multiply-adds, as its weight count times the pixels it is applied at. A training step costs
/// each layer's forward, its weight gradient and, except for the first layer, its input gradient,
/// the same multiply-adds each. What `sbvae bench` divides by to report GFLOP/s; the fast paths'
/// extra work (padded outputs) and savings (the factored first broadcast conv) are not counted,
/// so all paths are measured against the same work. Biases, activations and the loss are left out.
/// </summary>
public static class ModelFlops
{
    /// <summary>One layer: parameter-name prefix, weight count (no bias), and the pixels each weight is applied at.</summary>
    public sealed record Layer(string Name, long Weights, long Pixels, bool NeedsInputGradient)
    {
        public long MultiplyAdds => Weights * Pixels;
    }

    public static IReadOnlyList<Layer> Layers(ModelConfig config)
    {
        int s = config.ImageSize, k = config.Latent;
        const int channels = 3, width = 64;
        var layers = new List<Layer>();
        // Encoder: four 4×4 stride-2 convs, a 256-unit layer, the μ and log σ² heads.
        int side = s, inChannels = channels;
        for (int i = 0; i < 4; i++)
        {
            side /= 2;
            layers.Add(new($"encoder.encoder_conv.{2 * i}", (long)width * inChannels * 16, (long)side * side, i > 0));
            inChannels = width;
        }
        layers.Add(new("encoder.encoder_conv.9", (long)width * side * side * 256, 1, true));
        layers.Add(new("encoder.fc_mu.0", 256L * k, 1, true));
        layers.Add(new("encoder.fc_log_var.0", 256L * k, 1, true));

        if (config.Decoder == DecoderKind.Deconv)
        {
            // Linear to 64 × g², then 4×4 stride-2 transposed convs: each weight meets every input pixel.
            int upsamplings = s % 32 == 0 ? 5 : 4, grid = s >> upsamplings;
            layers.Add(new("decoder.decoder_upsampling.0", (long)k * width * grid * grid, 1, true));
            for (int i = 0; i < upsamplings; i++)
            {
                int outChannels = i == upsamplings - 1 ? channels : width;
                layers.Add(new($"decoder.decoder_deconv.{2 * i}", (long)width * outChannels * 16, (long)grid * grid, true));
                grid *= 2;
            }
        }
        else
        {
            // Unstrided 3×3 convs on the broadcast grid: padded keeps the grid, unpadded loses 2 per conv.
            int grid = config.Unpadded ? s + 6 : s, shrink = config.Unpadded ? 2 : 0;
            int[] ins = [k + 2, width, width], outs = [width, width, channels];
            for (int i = 0; i < 3; i++)
            {
                grid -= shrink;
                layers.Add(new($"decoder.decoder_convs.{2 * i}", (long)outs[i] * ins[i] * 9, (long)grid * grid, true));
            }
        }
        return layers;
    }

    /// <summary>FLOPs (2 per multiply-add) of one image's forward pass.</summary>
    public static double ForwardPerImage(ModelConfig config) => 2.0 * Layers(config).Sum(l => l.MultiplyAdds);

    /// <summary>FLOPs of one image's training step: forward, weight gradients, input gradients.</summary>
    public static double TrainingPerImage(ModelConfig config) =>
        2.0 * Layers(config).Sum(l => l.MultiplyAdds * (l.NeedsInputGradient ? 3 : 2));
}
