using Sbvae.Kernels;
using Sbvae.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Engine;

/// <summary><see cref="DeconvDecoder.forward"/> computed with the engine's levers: the same function.</summary>
internal static class DeconvDecoderForward
{
    public static Tensor Run(DeconvDecoder decoder, Tensor z, EngineOptions options)
    {
        using var scope = NewDisposeScope();
        int grid = decoder.Grid;
        var features = LowPrecision.Run(decoder.Upsampling, z, options).view(-1, 64, grid, grid);
        var layers = decoder.Deconvs.children().Cast<Module<Tensor, Tensor>>().ToList();
        var h = LowPrecision.Run(layers.SkipLast(2), features, options); // up to the last relu
        // On the bf16 path, the last relu and layer in one hand-written pass where it applies. It
        // reads the pre-activation in bf16: rounded here if its layer ran in fp32 (small images),
        // as every bf16 layer rounds its input.
        if (options.OutputKernel && options.Dtype == ScalarType.BFloat16 && layers[^1] is ConvTranspose2d last)
        {
            var pre = h.to(ScalarType.BFloat16);
            if (OutputDeconv.Handles(pre, last)) return OutputDeconv.Apply(StepMarks.Layer(pre, last), last).to(z.dtype).MoveToOuterDisposeScope();
        }
        return LowPrecision.Run(layers.TakeLast(2), h, options).to(z.dtype).MoveToOuterDisposeScope();
    }
}
