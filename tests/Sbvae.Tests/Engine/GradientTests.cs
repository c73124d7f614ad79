using Sbvae.Engine;
using Sbvae.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>
/// Float32 gradients of the whole model against the same model in float64: guards against
/// wrong backward kernels (libtorch 2.10 computes a wrong input gradient for 3×3 convs with
/// few output channels on CPU, which the spatial broadcast decoder works around).
/// </summary>
public class GradientTests
{
    [Theory]
    [InlineData(DecoderKind.Sbd, false, 1, false)]
    [InlineData(DecoderKind.Sbd, false, 2, false)]
    [InlineData(DecoderKind.Sbd, true, 2, false)]
    [InlineData(DecoderKind.Deconv, false, 2, false)]
    [InlineData(DecoderKind.Sbd, false, 2, true)]
    [InlineData(DecoderKind.Sbd, true, 2, true)]
    [InlineData(DecoderKind.Deconv, false, 2, true)]
    public void GradientsMatchDoublePrecision(DecoderKind decoder, bool unpadded, int threads, bool channelsLast)
    {
        set_num_threads(threads);
        random.manual_seed(3);
        var config = new ModelConfig { Decoder = decoder, Latent = 4, ImageSize = 16, Unpadded = unpadded };
        using var model = new Vae(config);
        using var model64 = new Vae(config);
        model64.load_state_dict(model.state_dict());
        model64.to(float64);
        var options = EngineOptions.For(Precision.Fp32) with { ChannelsLast = channelsLast };
        using var x = rand(8, 3, 16, 16);
        using var noise = randn(8, 4);

        Tensor Loss(Vae m, Tensor input)
        {
            var forward = new EngineForward(m, options);
            var (mu, logVar) = forward.Encode(input);
            var z = mu + (0.5 * logVar).exp() * noise.to(input.dtype);
            using var t = LossTerms.Compute(input, forward.Decode(z), mu, logVar, 0.3, 1);
            return t.Loss.alias();
        }

        Loss(model, x).backward();
        Loss(model64, x.to(float64)).backward();
        var p64 = model64.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in model.named_parameters())
        {
            var g = p.grad!.to(float64);
            var g64 = p64[name].grad!;
            double err = (g - g64).abs().max().item<double>();
            double scale = g64.abs().max().item<double>() + 1e-6;
            Assert.True(err <= 1e-3 * scale, $"{name}: gradient off by {err:G3} (scale {scale:G3})");
        }
    }
}
