using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The output deconv kernel computes the deconv decoder's last relu and transposed conv, in fp32, from the bf16 pre-activation.</summary>
public class OutputDeconvTests
{
    static double RelativeError(Tensor actual, Tensor expected) => DecoderRun.RelativeError(actual, expected);

    [Theory]
    [InlineData(11, 64)] // one part-filled block of 32 columns; interior input-gradient pixels four at a time and a remainder
    [InlineData(2, 64)]  // no interior block at all
    [InlineData(6, 128)] // two channel blocks
    [InlineData(35, 64)] // a whole block of 32 columns and a part-filled one
    public void MatchesFp64ReluTransposedConvValuesAndGradients(int side, int channels)
    {
        using var g = new Generator(7);
        using var conv = nn.ConvTranspose2d(channels, 3, 4, stride: 2, padding: 1);
        // A pre-activation: about half the values negative, and some exactly zero (the relu passes no gradient there).
        using var pre = randn([3, channels, side, side], generator: g);
        pre.masked_fill_(rand([3, channels, side, side], generator: g) < 0.05, 0);
        using var x = Layout.ToChannelsLast(pre).to(ScalarType.BFloat16).requires_grad_(true);
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, OutputDeconv.Handles(x, conv)); // written for 16-lane vectors: without them libtorch's layer runs instead
        Skip.UnlessAvx512();
        using var upstream = randn([3, 3, 2 * side, 2 * side], generator: g);

        using var output = OutputDeconv.Apply(x, conv);
        Assert.Equal(ScalarType.Float32, output.dtype);
        Assert.Equal(new long[] { 3, 3, 2 * side, 2 * side }, output.shape);
        output.backward([upstream]);

        using var x64 = x.detach().to(ScalarType.Float64).requires_grad_(true);
        using var w64 = conv.weight!.detach().to(ScalarType.Float64).requires_grad_(true);
        using var b64 = conv.bias!.detach().to(ScalarType.Float64).requires_grad_(true);
        using var expected = nn.functional.conv_transpose2d(x64.relu(), w64, b64, strides: [2, 2], padding: [1, 1]);
        expected.backward([upstream.to(ScalarType.Float64)]);

        Assert.True(RelativeError(output, expected) < 1e-5, $"output: {RelativeError(output, expected)}");
        Assert.Equal(ScalarType.BFloat16, x.grad!.dtype);
        // The input gradient is rounded to bf16 once: within bf16's half-ulp (2⁻⁹) relative.
        Assert.True(RelativeError(x.grad!, x64.grad!) < 1.0 / 512, $"input: {RelativeError(x.grad!, x64.grad!)}");
        Assert.True(x.grad!.masked_select(x.detach() <= 0).eq(0).all().item<bool>(), "no gradient where the relu's input is not positive");
        Assert.True(RelativeError(conv.weight!.grad!, w64.grad!) < 1e-5, $"weight: {RelativeError(conv.weight!.grad!, w64.grad!)}");
        Assert.True(RelativeError(conv.bias!.grad!, b64.grad!) < 1e-5, $"bias: {RelativeError(conv.bias!.grad!, b64.grad!)}");
    }

    /// <summary>A deconv decoder at <paramref name="size"/> px on the bf16 path, with and without the output kernel; skips the test where the kernel is not used (no 16-lane vectors).</summary>
    static ((Tensor Output, Dictionary<string, Tensor> Grads) Kernel, (Tensor Output, Dictionary<string, Tensor> Grads) Libtorch) BothPaths(int size)
    {
        Skip.UnlessAvx512();
        random.manual_seed(8);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, ImageSize = size, Latent = 4 });
        using var z = randn(3, 4);
        var kernelPath = EngineOptions.For(Precision.Bf16);
        return (DecoderRun.Run(vae, z, kernelPath), DecoderRun.Run(vae, z, kernelPath with { OutputKernel = false }));
    }

    [Fact]
    public void DecoderWithOutputKernelIsTheSameFunction()
    {
        // At 64 px the layer before the output runs bf16 (16×16 → 32×32), so both paths see the same bf16 activation.
        var ((kernel, kernelGrads), (libtorch, libtorchGrads)) = BothPaths(64);
        Assert.True(RelativeError(kernel, libtorch.to(ScalarType.Float64)) < 1e-5, $"image: {RelativeError(kernel, libtorch.to(ScalarType.Float64))}");
        foreach (var (name, grad) in libtorchGrads)
            Assert.True(RelativeError(kernelGrads[name], grad.to(ScalarType.Float64)) < 1e-4, $"{name}: {RelativeError(kernelGrads[name], grad.to(ScalarType.Float64))}");
    }

    [Fact]
    public void SmallImagesRoundTheFp32ActivationForTheKernel()
    {
        // At 32 px the layer before the output runs fp32; the kernel reads its activation rounded to bf16.
        var ((kernel, kernelGrads), (libtorch, libtorchGrads)) = BothPaths(32);
        double error = RelativeError(kernel, libtorch.to(ScalarType.Float64));
        Assert.True(error > 0 && error < 1.0 / 256, $"image: {error} (the kernel's input is the activation rounded to bf16)");
        foreach (var (name, grad) in libtorchGrads)
            Assert.True(RelativeError(kernelGrads[name], grad.to(ScalarType.Float64)) < 2e-2, $"{name}: {RelativeError(kernelGrads[name], grad.to(ScalarType.Float64))}");
    }
}
