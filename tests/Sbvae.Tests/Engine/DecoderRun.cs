using Sbvae.Engine;
using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>Shared by the kernel tests: a decoder's output and parameter gradients under one compute path, a model's loss and gradients under two, and a relative error.</summary>
internal static class DecoderRun
{
    /// <summary>Decode z with <paramref name="compute"/>; gradients of Σ output² for every decoder parameter.</summary>
    public static (Tensor Output, Dictionary<string, Tensor> Grads) Run(Vae vae, Tensor z, EngineOptions compute)
    {
        vae.zero_grad();
        var output = new EngineForward(vae, compute).Decode(z);
        output.square().sum().backward();
        return (output.detach(), vae.Decoder.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
    }

    /// <summary>
    /// The same model and batch with <paramref name="compute"/> and with <paramref name="reference"/>: both losses
    /// within a bf16 ulp (2⁻⁸) of each other, and every parameter's gradient too. For fp32 kernels inside the bf16
    /// path: an fp32 sum in another order can move a value across a bf16 rounding boundary in the layers around
    /// them, so the model agrees to within a bf16 ulp, not to fp32's.
    /// </summary>
    public static void AssertSameFunction(Vae vae, Tensor x, Tensor eps, EngineOptions compute, EngineOptions reference)
    {
        (float Loss, Dictionary<string, Tensor> Grads) Step(EngineOptions c)
        {
            vae.zero_grad();
            using var terms = new EngineForward(vae, c).Loss(x, eps);
            terms.Loss.backward();
            return (terms.Loss.item<float>(), vae.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }
        var (loss, grads) = Step(compute);
        var (referenceLoss, referenceGrads) = Step(reference);
        Assert.True(Math.Abs(loss - referenceLoss) / referenceLoss < 1.0 / 256, $"loss {loss} vs {referenceLoss}");
        foreach (var (name, grad) in referenceGrads)
            Assert.True(RelativeError(grads[name], grad) < 1.0 / 256, $"{name}: {RelativeError(grads[name], grad)}");
    }

    /// <summary>‖actual − expected‖ / ‖expected‖, in fp64.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var a = actual.to(ScalarType.Float64);
        using var e = expected.to(ScalarType.Float64);
        return (a - e).norm().item<double>() / Math.Max(e.norm().item<double>(), 1e-12);
    }
}
