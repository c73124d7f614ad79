using Sbvae.Objectives;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Engine;

/// <summary>
/// FactorVAE's discriminator computed with the engine's levers: on the bf16 path its 1000-wide layers
/// run in bfloat16 on the fp32 master weights (cast on the way in, so the gradients reach them through
/// the cast), as the VAE's large convs do; its logits come out in fp32. Elsewhere the module itself.
/// </summary>
internal static class DiscriminatorForward
{
    public static Tensor Run(FactorVaeDiscriminator discriminator, Tensor z, EngineOptions options)
    {
        if (options.Precision != Precision.Bf16) return discriminator.forward(z);
        using var scope = NewDisposeScope();
        var h = z.to(ScalarType.BFloat16);
        foreach (var layer in discriminator.Layers)
            h = layer is Linear linear
                ? functional.linear(h, linear.weight!.to(ScalarType.BFloat16), linear.bias?.to(ScalarType.BFloat16))
                : layer.forward(h);
        return h.to(z.dtype).MoveToOuterDisposeScope();
    }
}
