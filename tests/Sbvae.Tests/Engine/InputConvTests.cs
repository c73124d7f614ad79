using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The input conv kernel computes the encoder's first conv and relu in fp32 and writes the bf16 activation.</summary>
public class InputConvTests
{
    static double RelativeError(Tensor actual, Tensor expected) => DecoderRun.RelativeError(actual, expected);

    [Theory]
    [InlineData(64, 2, 1)] // the reference size: every pixel in a block of four
    [InlineData(10, 3, 1)] // an output row of 5: one block of four and one pixel
    [InlineData(2, 1, 1)] // a single output pixel
    [InlineData(18, 3, 2)] // rows split between two threads, an odd number of them
    public void MatchesFp64ConvReluValuesAndGradients(int side, int batch, int threads)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var g = new Generator(11);
            using var conv = nn.Conv2d(3, 64, 4, stride: 2, padding: 1);
            using var x = rand([batch, 3, side, side], generator: g);
            Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, InputConv.Handles(x, conv)); // written for 16-lane vectors: without them libtorch's conv runs instead
            Skip.UnlessAvx512();
            long outSide = side / 2;
            using var upstream = randn([batch, 64, outSide, outSide], generator: g).to(ScalarType.BFloat16);

            using var output = InputConv.Apply(x, conv);
            Assert.Equal(ScalarType.BFloat16, output.dtype);
            Assert.Equal(new long[] { batch, 64, outSide, outSide }, output.shape);
            Assert.True(Layout.IsChannelsLast(output), "channels-last, as the next bf16 conv reads it");
            output.backward([upstream]);

            using var w64 = conv.weight!.detach().to(ScalarType.Float64).requires_grad_(true);
            using var b64 = conv.bias!.detach().to(ScalarType.Float64).requires_grad_(true);
            using var pre = nn.functional.conv2d(x.to(ScalarType.Float64), w64, b64, [2, 2], [1, 1]);
            using var expected = pre.relu();
            expected.backward([upstream.to(ScalarType.Float64)]);

            // Each value is rounded to bf16 (8 significant bits) once: within 2⁻⁸ relative.
            Assert.True(RelativeError(output, expected) < 1.0 / 256, $"output: {RelativeError(output, expected)}");
            Assert.True(output.masked_select(pre.detach() <= 0).eq(0).all().item<bool>(), "zero where the conv is not positive");
            Assert.True(RelativeError(conv.weight!.grad!, w64.grad!) < 1e-5, $"weight: {RelativeError(conv.weight!.grad!, w64.grad!)}");
            Assert.True(RelativeError(conv.bias!.grad!, b64.grad!) < 1e-5, $"bias: {RelativeError(conv.bias!.grad!, b64.grad!)}");
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void EncoderWithInputKernelIsTheSameFunction()
    {
        random.manual_seed(12);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, ImageSize = 64, Latent = 4 });
        using var x = rand(3, 3, 64, 64); // large enough for the next conv to run in bf16
        var kernelPath = EngineOptions.For(Precision.Bf16);
        Assert.True(kernelPath.InputKernel);

        (Tensor Mu, Tensor LogVar, Dictionary<string, Tensor> Grads) Run(EngineOptions compute)
        {
            vae.zero_grad();
            var (mu, logVar) = new EngineForward(vae, compute).Encode(x);
            (mu.square().sum() + logVar.square().sum()).backward();
            return (mu.detach(), logVar.detach(), vae.Encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        Skip.UnlessAvx512();
        var (mu, logVar, grads) = Run(kernelPath);
        var (libtorchMu, libtorchLogVar, libtorchGrads) = Run(kernelPath with { InputKernel = false });
        // Both paths round the same fp32 activation to bf16 (summed in another order): within a bf16 ulp.
        Assert.True(RelativeError(mu, libtorchMu) < 1.0 / 256, $"mu: {RelativeError(mu, libtorchMu)}");
        Assert.True(RelativeError(logVar, libtorchLogVar) < 1.0 / 256, $"log var: {RelativeError(logVar, libtorchLogVar)}");
        foreach (var (name, grad) in libtorchGrads)
            Assert.True(RelativeError(grads[name], grad) < 1.0 / 256, $"{name}: {RelativeError(grads[name], grad)}");
    }

    [Fact]
    public void SmallImagesKeepLibtorchsFirstConv()
    {
        // At 32×32 the next conv runs in fp32 (its output plane is below 16×16), so the kernel's bf16
        // rounding would be new: the encoder keeps libtorch's fp32 first conv, bit for bit.
        random.manual_seed(13);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, ImageSize = 32, Latent = 4 });
        using var x = rand(2, 3, 32, 32);
        var kernelPath = EngineOptions.For(Precision.Bf16);
        var (mu, logVar) = new EngineForward(vae, kernelPath).Encode(x);
        var (libtorchMu, libtorchLogVar) = new EngineForward(vae, kernelPath with { InputKernel = false }).Encode(x);
        Assert.True(mu.equal(libtorchMu).all().item<bool>() && logVar.equal(libtorchLogVar).all().item<bool>());
    }
}
