using Sbvae.Models;
using Sbvae.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sbvae.Tests.Engine;

/// <summary>
/// The transposed conv with a conv2d backward computes the transposed conv and its gradients,
/// checked against libtorch's fp64 kernels (its fp32 NCHW input gradient is itself wrong for
/// some channel counts, such as the 16 → 24 channels below: 13% off).
/// </summary>
public class TransposedConvTests
{
    static double RelativeError(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).norm().item<double>() / Math.Max(expected.norm().item<double>(), 1e-12);

    /// <summary>Output and gradients of x, weight and bias for an upstream gradient, by <paramref name="conv"/>.</summary>
    static Tensor[] OutputAndGradients(Func<Tensor, Tensor, Tensor, Tensor> conv, Tensor x0, Tensor w0, Tensor b0, Tensor upstream, ScalarType dtype)
    {
        using var x = x0.to(dtype).detach().clone().requires_grad_(true);
        using var w = w0.to(dtype).detach().clone().requires_grad_(true);
        using var b = b0.to(dtype).detach().clone().requires_grad_(true);
        using var y = conv(x, w, b);
        y.backward([upstream.to(dtype)]);
        return [y.detach().clone(), x.grad!.clone(), w.grad!.clone(), b.grad!.clone()];
    }

    [Theory]
    [InlineData(2, 1, 8, false)] // the deconv decoder's 4×4 stride-2 layers
    [InlineData(2, 1, 8, true)]
    [InlineData(1, 0, 5, false)] // and any other stride and padding
    public void Fp32MatchesFp64(int stride, int padding, int side, bool channelsLast)
    {
        using var g = new Generator(4);
        using var x = randn([3, 16, side, side], generator: g);
        using var w = randn([16, 24, 4, 4], generator: g);
        using var b = randn([24], generator: g);
        long outSide = (side - 1) * stride - 2 * padding + 4;
        using var upstream = randn([3, 24, outSide, outSide], generator: g);
        using var input = channelsLast ? Layout.ToChannelsLast(x) : x.alias();
        var expected = OutputAndGradients((x, w, b) => F.conv_transpose2d(x, w, b, [stride, stride], [padding, padding]), input, w, b, upstream, ScalarType.Float64);
        var actual = OutputAndGradients((x, w, b) => TransposedConv.Apply(x, w, b, stride, padding), input, w, b, upstream, ScalarType.Float32);
        string[] names = ["output", "x gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < 4; i++)
            Assert.True(RelativeError(actual[i], expected[i]) < 1e-6, $"{names[i]}: {RelativeError(actual[i], expected[i])}");
    }

    [Fact]
    public void Bf16StaysWithinBf16Rounding()
    {
        // The deconv decoder's 16×16 → 32×32 layer, channels-last, as the bf16 path runs it.
        using var g = new Generator(6);
        using var x = Layout.ToChannelsLast(randn([4, 64, 16, 16], generator: g));
        using var w = randn([64, 64, 4, 4], generator: g).mul(0.05);
        using var b = randn([64], generator: g);
        using var upstream = randn([4, 64, 32, 32], generator: g);
        var expected = OutputAndGradients((x, w, b) => F.conv_transpose2d(x, w, b, [2, 2], [1, 1]), x, w, b, upstream, ScalarType.Float64);
        var actual = OutputAndGradients((x, w, b) => TransposedConv.Apply(x, w, b, 2, 1), x, w, b, upstream, ScalarType.BFloat16);
        string[] names = ["output", "x gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < 4; i++)
            Assert.True(RelativeError(actual[i], expected[i]) < 0.01, $"{names[i]}: {RelativeError(actual[i], expected[i])}");
    }
}
