using Sbvae.Engine;
using Sbvae.Objectives;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>On the bf16 path FactorVAE's discriminator runs in bfloat16 on its fp32 weights: the same function to bf16 rounding.</summary>
public class DiscriminatorForwardTests
{
    [Fact]
    public void Bf16LogitsAndGradientsFollowTheFp32Module()
    {
        random.manual_seed(4);
        using var d = new FactorVaeDiscriminator(5);
        using var z = randn(32, 5, generator: new Generator(8));
        (Tensor Logits, Tensor[] Grads) Run(EngineOptions options)
        {
            d.zero_grad();
            var logits = DiscriminatorForward.Run(d, z, options);
            logits.square().sum().backward();
            return (logits.detach(), [.. d.parameters().Select(p => p.grad!.clone())]);
        }
        var (full, fullGrads) = Run(EngineOptions.For(Precision.Fp32));
        var (low, lowGrads) = Run(EngineOptions.For(Precision.Bf16));
        Assert.Equal(ScalarType.Float32, low.dtype);
        Assert.False(low.equal(full).all().item<bool>()); // it did run in bf16
        double Relative(Tensor a, Tensor b) => (a - b).norm().item<float>() / Math.Max(b.norm().item<float>(), 1e-12);
        Assert.True(Relative(low, full) < 0.02, $"logits: {Relative(low, full)}");
        for (int i = 0; i < fullGrads.Length; i++)
        {
            Assert.Equal(ScalarType.Float32, lowGrads[i].dtype); // the master weights get fp32 gradients
            // Parameters come as (weight, bias) per Linear layer, 7 layers. A layer's gradient passes back through
            // the bf16 layers after it; each adds a few bf16 roundings (unit roundoff 2⁻⁸ ≈ 0.4 %) going forward
            // and back: a budget of 1.2 % per layer from the output, 8.4 % for the first.
            int layersFromOutput = 7 - i / 2;
            Assert.True(Relative(lowGrads[i], fullGrads[i]) < 0.012 * layersFromOutput, $"gradient {i}: {Relative(lowGrads[i], fullGrads[i])}");
        }
    }
}
