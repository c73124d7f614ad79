using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The encoder-head kernel computes flatten, Linear + relu and the μ and log σ² heads in fp32.</summary>
public class EncoderHeadTests
{
    static double RelativeError(Tensor actual, Tensor expected) => DecoderRun.RelativeError(actual, expected);

    [Theory]
    [InlineData(8, 4, true, 5)] // a training share at 64 px, channels-last as the convs leave it
    [InlineData(3, 4, false, 5)] // contiguous features; a group of images short of four
    [InlineData(5, 2, true, 10)] // a 2×2 plane (the 32-px model): 256 features
    public void MatchesFp64LayersValuesAndGradients(int batch, int side, bool channelsLast, int latent)
    {
        using var g = new Generator(31);
        using var hidden = nn.Linear(64 * side * side, 256);
        using var mu = nn.Linear(256, latent);
        using var logVar = nn.Linear(256, latent);
        var raw = randn([batch, 64, side, side], generator: g);
        using var features = (channelsLast ? Layout.ToChannelsLast(raw) : raw).requires_grad_(true);
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, EncoderHead.Handles(features, hidden, mu, logVar)); // written for 16-lane vectors: without them the modules run instead
        Skip.UnlessAvx512();
        using var upMu = randn([batch, latent], generator: g);
        using var upLogVar = randn([batch, latent], generator: g);

        var (m, v) = EncoderHead.Apply(features, hidden, mu, logVar);
        Assert.Equal(new long[] { batch, latent }, m.shape);
        Assert.Equal(new long[] { batch, latent }, v.shape);
        autograd.backward([m, v], [upMu, upLogVar]);

        Tensor F64(Tensor t) => t.detach().to(ScalarType.Float64).requires_grad_(true);
        using var x64 = F64(features);
        Tensor[] p64 = [F64(hidden.weight!), F64(hidden.bias!), F64(mu.weight!), F64(mu.bias!), F64(logVar.weight!), F64(logVar.bias!)];
        var h64 = nn.functional.linear(x64.flatten(1), p64[0], p64[1]).relu();
        var m64 = nn.functional.linear(h64, p64[2], p64[3]);
        var v64 = nn.functional.linear(h64, p64[4], p64[5]);
        autograd.backward([m64, v64], [upMu.to(ScalarType.Float64), upLogVar.to(ScalarType.Float64)]);

        // fp32 sums of at most 1024 products against fp64: a few fp32 ulps.
        Assert.True(RelativeError(m, m64) < 1e-6, $"mu: {RelativeError(m, m64)}");
        Assert.True(RelativeError(v, v64) < 1e-6, $"log var: {RelativeError(v, v64)}");
        Assert.True(RelativeError(features.grad!, x64.grad!) < 1e-6, $"features: {RelativeError(features.grad!, x64.grad!)}");
        Assert.Equal(channelsLast, Layout.IsChannelsLast(features.grad!));
        Tensor[] actual = [hidden.weight!.grad!, hidden.bias!.grad!, mu.weight!.grad!, mu.bias!.grad!, logVar.weight!.grad!, logVar.bias!.grad!];
        string[] names = ["hidden weight", "hidden bias", "mu weight", "mu bias", "log var weight", "log var bias"];
        for (int i = 0; i < actual.Length; i++)
            Assert.True(RelativeError(actual[i], p64[i].grad!) < 1e-6, $"{names[i]}: {RelativeError(actual[i], p64[i].grad!)}");
    }

    [Fact]
    public void ModelWithHeadKernelIsTheSameFunction()
    {
        Skip.UnlessAvx512();
        random.manual_seed(32);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, ImageSize = 64, Latent = 5 });
        using var x = rand(3, 3, 64, 64);
        using var eps = randn(3, 5);
        var kernelPath = EngineOptions.For(Precision.Bf16);
        Assert.True(kernelPath.HeadKernel);

        DecoderRun.AssertSameFunction(vae, x, eps, kernelPath, kernelPath with { HeadKernel = false });
    }
}
