using Sbvae.Diagnostics;
using Sbvae.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Tests.Diagnostics;

/// <summary>The FLOP count follows the model as built: its layers, their weights, and the planes they run on.</summary>
public class ModelFlopsTests
{
    /// <summary>(weights, pixels) of every conv and linear layer, found by running the model's own layers one by one.</summary>
    static Dictionary<string, (long Weights, long Pixels)> Traced(Vae vae, ModelConfig config)
    {
        var modules = vae.named_modules().ToDictionary(m => m.name, m => m.module);
        var found = new Dictionary<string, (long, long)>();
        Tensor RunStack(string name, Tensor x)
        {
            foreach (var (child, layer) in ((Sequential)modules[name]).named_children())
            {
                var y = ((nn.Module<Tensor, Tensor>)layer).forward(x);
                long pixels = layer switch
                {
                    ConvTranspose2d => x.shape[2] * x.shape[3], // each weight meets every input pixel
                    Conv2d => y.shape[2] * y.shape[3],
                    _ => 1,
                };
                if (layer is Conv2d or ConvTranspose2d or Linear)
                    found[$"{name}.{child}"] = (((nn.Module)layer).named_parameters().First(p => p.name == "weight").parameter.numel(), pixels);
                x = y;
            }
            return x;
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = RunStack("encoder.encoder_conv", zeros(1, 3, config.ImageSize, config.ImageSize));
        RunStack("encoder.fc_mu", features);
        RunStack("encoder.fc_log_var", features);
        var z = zeros(1, config.Latent);
        if (config.Decoder == DecoderKind.Sbd)
            RunStack("decoder.decoder_convs", ((SpatialBroadcastDecoder)vae.Decoder).Broadcast(z));
        else
        {
            var up = RunStack("decoder.decoder_upsampling", z);
            long grid = (long)Math.Sqrt(up.shape[1] / 64);
            RunStack("decoder.decoder_deconv", up.view(1, 64, grid, grid));
        }
        return found;
    }

    [Theory]
    [InlineData(DecoderKind.Sbd, 64, 5, false)]
    [InlineData(DecoderKind.Sbd, 32, 3, true)]
    [InlineData(DecoderKind.Deconv, 64, 5, false)]
    [InlineData(DecoderKind.Deconv, 48, 4, false)] // four upsamplings
    public void LayersMatchTheBuiltModel(DecoderKind decoder, int size, int latent, bool unpadded)
    {
        var config = new ModelConfig { Decoder = decoder, ImageSize = size, Latent = latent, Unpadded = unpadded };
        using var vae = new Vae(config);
        var traced = Traced(vae, config);
        var counted = ModelFlops.Layers(config).ToDictionary(l => l.Name, l => (l.Weights, l.Pixels));
        Assert.Equal(traced.Keys.Order(), counted.Keys.Order());
        foreach (var (name, expected) in traced) Assert.Equal(expected, counted[name]);
        // Only the first layer goes without an input gradient.
        Assert.Equal(["encoder.encoder_conv.0"], ModelFlops.Layers(config).Where(l => !l.NeedsInputGradient).Select(l => l.Name));
    }

    [Fact]
    public void TrainingStepIsThreeForwardsLessTheFirstLayersInputGradient()
    {
        var config = new ModelConfig { Decoder = DecoderKind.Deconv };
        var first = ModelFlops.Layers(config)[0];
        Assert.Equal(3 * ModelFlops.ForwardPerImage(config) - 2.0 * first.MultiplyAdds, ModelFlops.TrainingPerImage(config));
        // The reference encoder's first conv: 64·3·16 weights on a 32×32 plane.
        Assert.Equal(64L * 3 * 16 * 32 * 32, first.MultiplyAdds);
    }
}
