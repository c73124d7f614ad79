using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Objectives;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The engine computes the model's own function: the paper's modules in Models/ are the reference.</summary>
public class PlainEngineTests
{
    static TrainingObjective Reference(Vae vae) => TrainingObjective.For(vae.Config, 100, 100, 0, () => throw new InvalidOperationException("no discriminator"));

    static Vae Model(DecoderKind decoder, bool unpadded = false)
    {
        random.manual_seed(21);
        return new Vae(new ModelConfig { Decoder = decoder, Latent = 3, ImageSize = 16, Unpadded = unpadded });
    }

    [Theory]
    [InlineData(DecoderKind.Sbd, false)]
    [InlineData(DecoderKind.Sbd, true)]
    [InlineData(DecoderKind.Deconv, false)]
    public void EveryFp32LeverComputesTheModelsForwardAndLoss(DecoderKind decoder, bool unpadded)
    {
        using var vae = Model(decoder, unpadded);
        using var x = rand(4, 3, 16, 16, generator: new Generator(3));
        using var eps = randn(4, 3, generator: new Generator(4));
        using var modelOut = vae.Reconstruct(x);
        using var modelLoss = vae.Loss(x, eps);
        foreach (var options in new[] { EngineOptions.Plain, new EngineOptions(), EngineOptions.For(Precision.Fp32) with { ChannelsLast = true } })
        {
            var forward = new EngineForward(vae, options);
            using var engineOut = forward.Reconstruct(x);
            Assert.Equal(modelOut.shape, engineOut.shape);
            Assert.True((engineOut - modelOut).abs().max().item<float>() < 1e-5f, $"{options}: output");
            using var engineLoss = forward.Loss(x, eps);
            Assert.True((engineLoss.Reconstruction - modelLoss.Reconstruction).abs().max().item<float>() < 1e-3f, $"{options}: reconstruction");
            Assert.True((engineLoss.Kl - modelLoss.Kl).abs().max().item<float>() < 1e-5f, $"{options}: kl");
        }
    }

    [Fact]
    public void PlainOptionsRunTheModelsOwnModulesBitForBit()
    {
        using var vae = Model(DecoderKind.Deconv);
        using var x = rand(2, 3, 16, 16, generator: new Generator(5));
        using var model = vae.Reconstruct(x);
        using var plain = new EngineForward(vae, EngineOptions.Plain).Reconstruct(x);
        Assert.True(plain.equal(model).all().item<bool>());
    }

    [Fact]
    public void TheEngineIsChosenFromPrecisionAndDevice()
    {
        using var vae = Model(DecoderKind.Sbd);
        using var adam = optim.Adam(vae.parameters());
        using (var plain = Engines.ForTraining(vae, adam, Reference(vae), EngineOptions.Plain)) Assert.IsType<PlainEngine>(plain);
        using (var fast = Engines.ForTraining(vae, adam, Reference(vae), Engines.OptionsFor("fp32", CPU))) Assert.IsType<CpuEngine>(fast);
        Assert.Equal(EngineOptions.For(Precision.Fp32), Engines.OptionsFor("fp32", CPU));
        Assert.Equal(EngineOptions.For(Precision.Bf16), Engines.OptionsFor("bf16", CPU));
        Assert.Throws<SbvaeException>(() => Engines.OptionsFor("fp16", CPU));
    }

    [Fact]
    public void BothEnginesTakeTheSameStepInFp32()
    {
        // One plain step and one fast fp32 step from the same weights and batch: the same gradients (to fp32
        // rounding) and the same update. Adam's first step moves a weight by lr·g/(|g| + ε), so where a
        // gradient is near zero its rounding moves the update: compared against the step size lr.
        using var images = TrainingImages.From(TestData.Tiny(), CPU);
        using var x = images.Batch([0, 1, 2, 3]);
        using var eps = randn(4, 3, generator: new Generator(6));
        (Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Grads) StepWith(EngineOptions options)
        {
            using var vae = Model(DecoderKind.Sbd);
            using var adam = optim.Adam(vae.parameters(), lr: 1e-3);
            using var engine = Engines.ForTraining(vae, adam, Reference(vae), options);
            using (engine.Start()) Assert.NotNull(engine.Step(x, eps, 0));
            var named = vae.named_parameters().ToList();
            return (named.ToDictionary(p => p.name, p => p.parameter.detach().clone()), named.ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }
        var plain = StepWith(EngineOptions.Plain);
        var fast = StepWith(EngineOptions.For(Precision.Fp32));
        foreach (var (name, g) in plain.Grads)
        {
            double error = (fast.Grads[name] - g).norm().item<float>() / Math.Max(g.norm().item<float>(), 1e-12);
            Assert.True(error < 1e-4, $"{name} gradient: {error}");
            Assert.True((fast.Weights[name] - plain.Weights[name]).abs().mean().item<float>() < 1e-2 * 1e-3, $"{name} update");
        }
    }
}
