using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The stride-2 kernel computes a 64-channel 4×4 stride-2 conv or transposed conv and its relu in fp32.</summary>
public class Stride2ConvTests
{
    static double RelativeError(Tensor actual, Tensor expected) => DecoderRun.RelativeError(actual, expected);

    [Theory]
    [InlineData(false, 16, 8, 1)] // the encoder's 16×16 → 8×8 conv on a training share
    [InlineData(false, 2, 3, 1)] // one output pixel; a group of images short of four
    [InlineData(false, 32, 16, 2)] // large enough to split positions and taps between two threads
    [InlineData(true, 2, 8, 1)] // the deconv decoder's 2×2 → 4×4 layer
    [InlineData(true, 1, 3, 1)] // one input pixel: every output is a border
    [InlineData(true, 8, 5, 1)] // a group of images short of four
    [InlineData(true, 16, 16, 2)]
    public void MatchesFp64LayerAndReluValuesAndGradients(bool transposed, int side, int batch, int threads)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var g = new Generator(21);
            random.manual_seed(21); // the layer's initial weights
            Convolution layer = transposed ? nn.ConvTranspose2d(64, 64, 4, stride: 2, padding: 1) : nn.Conv2d(64, 64, 4, stride: 2, padding: 1);
            using var _ = layer;
            using var x = Layout.ToChannelsLast(randn([batch, 64, side, side], generator: g)).requires_grad_(true);
            Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, Stride2Conv.Handles(layer, x)); // written for 16-lane vectors: without them libtorch's layer runs instead
            Skip.UnlessAvx512();
            long outSide = transposed ? 2 * side : side / 2;
            using var upstream = randn([batch, 64, outSide, outSide], generator: g);

            using var output = Stride2Conv.Apply(x, layer);
            Assert.Equal(ScalarType.Float32, output.dtype);
            Assert.Equal(new long[] { batch, 64, outSide, outSide }, output.shape);
            Assert.True(Layout.IsChannelsLast(output));
            output.backward([upstream]);

            using var x64 = x.detach().to(ScalarType.Float64).requires_grad_(true);
            using var w64 = layer.weight!.detach().to(ScalarType.Float64).requires_grad_(true);
            using var b64 = layer.bias!.detach().to(ScalarType.Float64).requires_grad_(true);
            using var pre = transposed
                ? nn.functional.conv_transpose2d(x64, w64, b64, strides: [2, 2], padding: [1, 1])
                : nn.functional.conv2d(x64, w64, b64, [2, 2], [1, 1]);
            using var expected = pre.relu();
            expected.backward([upstream.to(ScalarType.Float64)]);

            // fp32 arithmetic summed in another order than fp64: a few fp32 ulps.
            Assert.True(RelativeError(output, expected) < 1e-6, $"output: {RelativeError(output, expected)}");
            // Zero where the exact pre-activation is negative by more than fp32's rounding of a 1024-term sum (≈ 1e-5 here):
            // closer to zero, the fp32 sum may land on either side.
            Assert.True(output.masked_select(pre.detach() < -1e-4).eq(0).all().item<bool>(), "zero where the layer's output is negative");
            Assert.True(RelativeError(x.grad!, x64.grad!) < 1e-6, $"input: {RelativeError(x.grad!, x64.grad!)}");
            Assert.True(RelativeError(layer.weight!.grad!, w64.grad!) < 1e-6, $"weight: {RelativeError(layer.weight!.grad!, w64.grad!)}");
            Assert.True(RelativeError(layer.bias!.grad!, b64.grad!) < 1e-6, $"bias: {RelativeError(layer.bias!.grad!, b64.grad!)}");
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void ReadsABf16InputInFp32()
    {
        Skip.UnlessAvx512();
        using var g = new Generator(22);
        using var conv = nn.Conv2d(64, 64, 4, stride: 2, padding: 1);
        using var x = randn([2, 64, 8, 8], generator: g).to(ScalarType.BFloat16);
        using var output = Stride2Conv.Apply(x, conv);
        using var expected = nn.functional.conv2d(x.to(ScalarType.Float64), conv.weight!.detach().to(ScalarType.Float64),
            conv.bias!.detach().to(ScalarType.Float64), [2, 2], [1, 1]).relu();
        Assert.True(RelativeError(output, expected) < 1e-6, $"output: {RelativeError(output, expected)}");
    }

    [Fact]
    public void DeconvModelWithStride2KernelIsTheSameFunction()
    {
        Skip.UnlessAvx512();
        random.manual_seed(23);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, ImageSize = 64, Latent = 4 });
        using var x = rand(3, 3, 64, 64);
        using var eps = randn(3, 4);
        var kernelPath = EngineOptions.For(Precision.Bf16);
        Assert.True(kernelPath.Stride2Kernel);

        DecoderRun.AssertSameFunction(vae, x, eps, kernelPath, kernelPath with { Stride2Kernel = false });
    }
}
