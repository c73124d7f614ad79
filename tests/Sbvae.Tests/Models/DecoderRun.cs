using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Tests.Models;

/// <summary>Shared by the kernel tests: a decoder's output and parameter gradients under one compute path, and a relative error.</summary>
internal static class DecoderRun
{
    /// <summary>Decode z with <paramref name="compute"/>; gradients of Σ output² for every decoder parameter.</summary>
    public static (Tensor Output, Dictionary<string, Tensor> Grads) Run(Vae vae, Tensor z, ComputeOptions compute)
    {
        vae.Compute = compute;
        vae.zero_grad();
        var output = vae.Decode(z);
        output.square().sum().backward();
        return (output.detach(), vae.Decoder.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
    }

    /// <summary>‖actual − expected‖ / ‖expected‖, in fp64.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var a = actual.to(ScalarType.Float64);
        using var e = expected.to(ScalarType.Float64);
        return (a - e).norm().item<double>() / Math.Max(e.norm().item<double>(), 1e-12);
    }
}
