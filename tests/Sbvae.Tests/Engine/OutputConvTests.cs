using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The output conv kernel computes the spatial broadcast decoder's last relu and conv, in fp32, from the bf16 pre-activation.</summary>
public class OutputConvTests
{
    static double RelativeError(Tensor actual, Tensor expected) => DecoderRun.RelativeError(actual, expected);

    [Theory]
    [InlineData(1, 10, 64)] // padded: border columns one by one, the interior four at a time, a remainder
    [InlineData(0, 12, 64)] // unpadded: every column interior
    [InlineData(1, 3, 128)] // no interior block at all
    public void MatchesFp64ReluConvValuesAndGradients(int padding, int side, int channels)
    {
        using var g = new Generator(5);
        using var conv = nn.Conv2d(channels, 3, 3, padding: padding);
        // A pre-activation: about half the values negative, and some exactly zero (the relu passes no gradient there).
        using var pre = randn([3, channels, side, side], generator: g);
        pre.masked_fill_(rand([3, channels, side, side], generator: g) < 0.05, 0);
        using var h = Layout.ToChannelsLast(pre).to(ScalarType.BFloat16).requires_grad_(true);
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, OutputConv.Handles(h, conv)); // written for 16-lane vectors: without them libtorch's conv runs instead
        Skip.UnlessAvx512();
        long outSide = side + 2 * padding - 2;
        using var upstream = randn([3, 3, outSide, outSide], generator: g);

        using var output = OutputConv.Apply(h, conv);
        Assert.Equal(ScalarType.Float32, output.dtype);
        Assert.Equal(new long[] { 3, 3, outSide, outSide }, output.shape);
        output.backward([upstream]);

        // The same relu and conv in fp64 on the same (bf16-valued) input.
        using var h64 = h.detach().to(ScalarType.Float64).requires_grad_(true);
        using var w64 = conv.weight!.detach().to(ScalarType.Float64).requires_grad_(true);
        using var b64 = conv.bias!.detach().to(ScalarType.Float64).requires_grad_(true);
        using var expected = nn.functional.conv2d(h64.relu(), w64, b64, padding: [padding, padding]);
        expected.backward([upstream.to(ScalarType.Float64)]);

        Assert.True(RelativeError(output, expected) < 1e-5, $"output: {RelativeError(output, expected)}");
        Assert.True(RelativeError(conv.weight!.grad!, w64.grad!) < 1e-5, $"weight: {RelativeError(conv.weight!.grad!, w64.grad!)}");
        Assert.True(RelativeError(conv.bias!.grad!, b64.grad!) < 1e-5, $"bias: {RelativeError(conv.bias!.grad!, b64.grad!)}");
        Assert.Equal(ScalarType.BFloat16, h.grad!.dtype);
        // The input gradient is rounded to bf16 once: within bf16's half-ulp (2⁻⁹) relative.
        Assert.True(RelativeError(h.grad!, h64.grad!) < 1.0 / 512, $"input: {RelativeError(h.grad!, h64.grad!)}");
        Assert.True(h.grad!.masked_select(h.detach() <= 0).eq(0).all().item<bool>(), "no gradient where the relu's input is not positive");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecoderWithOutputKernelIsTheSameFunctionInFp32(bool unpadded)
    {
        random.manual_seed(6);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Sbd, ImageSize = 16, Latent = 4, Unpadded = unpadded });
        using var z = randn(3, 4);
        var kernelPath = EngineOptions.For(Precision.Bf16);
        Assert.True(kernelPath.OutputKernel);

        (Tensor Output, Dictionary<string, Tensor> Grads) Run(EngineOptions compute) => DecoderRun.Run(vae, z, compute);

        Skip.UnlessAvx512();
        var (kernel, kernelGrads) = Run(kernelPath);
        var (libtorch, libtorchGrads) = Run(kernelPath with { OutputKernel = false });
        // libtorch's path rounds the image to bf16; the kernel's image is fp32 (not all values bf16-representable).
        using var rounded = kernel.to(ScalarType.BFloat16).to(ScalarType.Float32);
        Assert.True(kernel.ne(rounded).any().item<bool>(), "the kernel's image carries more than bf16 precision");
        Assert.True(RelativeError(kernel, libtorch.to(ScalarType.Float64)) < 1.0 / 256, $"image: {RelativeError(kernel, libtorch.to(ScalarType.Float64))}");
        foreach (var (name, grad) in libtorchGrads)
            Assert.True(RelativeError(kernelGrads[name], grad.to(ScalarType.Float64)) < 2e-2, $"{name}: {RelativeError(kernelGrads[name], grad.to(ScalarType.Float64))}");
    }
}
