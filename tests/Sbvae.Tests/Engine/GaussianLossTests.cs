using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Kernels;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The loss kernel computes SPEC §4's per-image terms and batch loss, and the loss's gradients, in fp32.</summary>
public class GaussianLossTests
{
    static double RelativeError(Tensor actual, Tensor expected) => DecoderRun.RelativeError(actual, expected);

    [Theory]
    [InlineData(8, 64, 5, 1.0)] // a training share at the reference size
    [InlineData(3, 10, 4, 4.0)] // 300 values per image (not a multiple of 16), β = 4
    public void MatchesFp64TermsLossAndGradients(int batch, int side, int latent, double beta)
    {
        using var g = new Generator(41);
        using var x = rand([batch, 3, side, side], generator: g);
        using var xHat = rand([batch, 3, side, side], generator: g).requires_grad_(true);
        // μ and log σ² as the encoder-head kernel hands them over: column slices of one tensor.
        using var both = (randn([batch, 2 * latent], generator: g) * 0.7).requires_grad_(true);
        var (mu, logVar) = (both.narrow(1, 0, latent), both.narrow(1, latent, latent));
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, GaussianLoss.Handles(x, xHat, mu, logVar)); // written for 16-lane vectors: without them libtorch's ops run instead
        Skip.UnlessAvx512();

        var (reconstruction, kl, loss) = GaussianLoss.Apply(x, xHat, mu, logVar, 0.3, beta);
        Assert.False(reconstruction.requires_grad || kl.requires_grad);
        loss.backward();

        using var xHat64 = xHat.detach().to(ScalarType.Float64).requires_grad_(true);
        using var both64 = both.detach().to(ScalarType.Float64).requires_grad_(true);
        using var expected = LossTerms.Compute(x.to(ScalarType.Float64), xHat64, both64.narrow(1, 0, latent), both64.narrow(1, latent, latent), 0.3, beta);
        expected.Loss.backward();

        // fp32 sums of at most 12,288 terms (in chunks) against fp64: a few fp32 ulps.
        Assert.True(RelativeError(reconstruction, expected.Reconstruction) < 1e-6, $"reconstruction: {RelativeError(reconstruction, expected.Reconstruction)}");
        Assert.True(RelativeError(kl, expected.Kl) < 1e-6, $"kl: {RelativeError(kl, expected.Kl)}");
        Assert.True(RelativeError(loss, expected.Loss) < 1e-6, $"loss: {RelativeError(loss, expected.Loss)}");
        Assert.True(RelativeError(xHat.grad!, xHat64.grad!) < 1e-6, $"x̂: {RelativeError(xHat.grad!, xHat64.grad!)}");
        Assert.True(RelativeError(both.grad!, both64.grad!) < 1e-6, $"μ, log σ²: {RelativeError(both.grad!, both64.grad!)}");
    }

    [Fact]
    public void ModelWithLossKernelIsTheSameFunction()
    {
        Skip.UnlessAvx512();
        random.manual_seed(42);
        using var vae = new Vae(new ModelConfig { Decoder = DecoderKind.Sbd, ImageSize = 32, Latent = 5 });
        using var x = rand(3, 3, 32, 32);
        using var eps = randn(3, 5);
        var kernelPath = EngineOptions.For(Precision.Bf16);
        Assert.True(kernelPath.LossKernel);

        (LossTerms Terms, Dictionary<string, Tensor> Grads) Run(EngineOptions compute)
        {
            vae.zero_grad();
            var terms = new EngineForward(vae, compute).Loss(x, eps);
            terms.Loss.backward();
            return (terms, vae.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        var (kernel, grads) = Run(kernelPath);
        var (libtorch, libtorchGrads) = Run(kernelPath with { LossKernel = false });
        // Everything before the loss is the same computation: the terms agree to fp32 rounding.
        Assert.True(RelativeError(kernel.Reconstruction, libtorch.Reconstruction) < 1e-6, $"reconstruction: {RelativeError(kernel.Reconstruction, libtorch.Reconstruction)}");
        Assert.True(RelativeError(kernel.Kl, libtorch.Kl) < 1e-6, $"kl: {RelativeError(kernel.Kl, libtorch.Kl)}");
        Assert.True(RelativeError(kernel.Loss, libtorch.Loss) < 1e-6, $"loss: {RelativeError(kernel.Loss, libtorch.Loss)}");
        // The gradients pass through bf16 layers after it: within a bf16 ulp.
        foreach (var (name, grad) in libtorchGrads)
            Assert.True(RelativeError(grads[name], grad) < 1.0 / 256, $"{name}: {RelativeError(grads[name], grad)}");
        kernel.Dispose();
        libtorch.Dispose();
    }
}
