using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The fused first layer computes exactly what the libtorch ops it replaces compute.</summary>
public class BroadcastReluTests
{
    /// <summary>relu(zPart[b, class(i), class(j)] + coordPart[i, j]) in bf16, as (B, O, S, S), with libtorch ops.</summary>
    static Tensor Reference(Tensor zPart, Tensor coordPart)
    {
        long r = zPart.shape[1], s = coordPart.shape[0];
        var classes = Enumerable.Range(0, (int)s).Select(i => r == 1 ? 0L : i == 0 ? 0 : i == s - 1 ? 2 : 1).ToArray();
        using var index = tensor(classes);
        var plane = zPart.index_select(1, index).index_select(2, index) + coordPart;
        return nn.functional.relu(plane).to(ScalarType.BFloat16).permute(0, 3, 1, 2);
    }

    static float MaxDifference(Tensor a, Tensor b) =>
        (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();

    static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).norm().item<float>() / Math.Max(expected.norm().item<float>(), 1e-12);

    [Theory]
    [InlineData(3, 10, 16, 4, 1)] // padded decoder: first, middle and last row/column classes
    [InlineData(1, 12, 32, 4, 1)] // unpadded decoder: one class
    [InlineData(3, 9, 64, 3, 2)] // rows split between two threads, an odd batch, four channel blocks
    [InlineData(1, 7, 48, 1, 2)]
    public void MatchesLibtorchValuesAndGradients(int classes, int side, int channels, int batch, int threads)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var g = new Generator(3);
            using var zPart = randn([batch, classes, classes, channels], generator: g).requires_grad_(true);
            using var coordPart = randn([side, side, channels], generator: g).requires_grad_(true);
            using var upstream = Layout.ToChannelsLast(randn([batch, channels, side, side], generator: g)).to(ScalarType.BFloat16);

            using var fused = BroadcastRelu.Apply(zPart, coordPart);
            Assert.Equal(ScalarType.BFloat16, fused.dtype);
            Assert.True(Layout.IsChannelsLast(fused));
            using var expected = Reference(zPart, coordPart);
            Assert.Equal(expected.shape, fused.shape);
            Assert.Equal(0f, MaxDifference(fused, expected)); // same add, same rounding to bf16

            fused.backward([upstream]);
            var (zGrad, coordGrad) = (zPart.grad!.clone(), coordPart.grad!.clone());
            zPart.grad!.zero_();
            coordPart.grad!.zero_();
            expected.backward([upstream]);
            Assert.True(RelativeError(zGrad, zPart.grad!) < 1e-5, $"z part: {RelativeError(zGrad, zPart.grad!)}");
            Assert.True(RelativeError(coordGrad, coordPart.grad!) < 1e-5, $"coordinates: {RelativeError(coordGrad, coordPart.grad!)}");
        }
        finally { set_num_threads(before); }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecoderWithFusedFirstLayerIsTheSameFunction(bool unpadded)
    {
        random.manual_seed(4);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Sbd, ImageSize = 16, Latent = 4, Unpadded = unpadded });
        using var z = randn(3, 4).requires_grad_(true);
        var fusedPath = EngineOptions.For(Precision.Bf16);
        Assert.True(fusedPath.FusedFirstLayer);

        (Tensor Output, Dictionary<string, Tensor> Grads) Run(EngineOptions compute) => DecoderRun.Run(vae, z, compute);

        var (fused, fusedGrads) = Run(fusedPath);
        var (unfused, unfusedGrads) = Run(fusedPath with { FusedFirstLayer = false });
        Assert.Equal(0f, MaxDifference(fused, unfused));
        foreach (var (name, grad) in unfusedGrads)
            Assert.True(RelativeError(fusedGrads[name], grad) < 1e-4, $"{name}: {RelativeError(fusedGrads[name], grad)}");
    }
}
