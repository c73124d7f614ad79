using Sbvae.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Engine;

/// <summary><see cref="Encoder.forward"/> computed with the engine's levers: the same function.</summary>
internal static class EncoderForward
{
    public static (Tensor Mu, Tensor LogVar) Run(Encoder encoder, Tensor x, EngineOptions options)
    {
        using var scope = NewDisposeScope();
        var layers = encoder.Body.children().Cast<Module<Tensor, Tensor>>().ToList();
        // On the bf16 path, the first conv and its relu in one hand-written pass where it applies and
        // the next conv runs in bf16 (it reads the kernel's bf16 activation as it is; at smaller
        // images it runs fp32, and rounding its input to bf16 would be new).
        bool inputKernel = options.InputKernel && options.Dtype == ScalarType.BFloat16
            && layers[0] is Conv2d first && Kernels.InputConv.Handles(x, first)
            && LowPrecision.RunsLow(layers[2], x.shape[2] / 2 * (x.shape[3] / 2), x.device_type);
        var h = inputKernel ? Kernels.InputConv.Apply(StepMarks.Layer(x, layers[0]), (Conv2d)layers[0]) : x;
        // The convs (and their relus), then on the bf16 path the flatten, hidden layer and heads in one
        // hand-written pass where it applies; else the rest as modules.
        var convs = LowPrecision.Run(layers.Take(layers.Count - 3).Skip(inputKernel ? 2 : 0), h, options);
        var hidden = (Linear)layers[^2];
        var (fcMu, fcLogVar) = (encoder.MuHead, encoder.LogVarHead);
        if (options.HeadKernel && options.Dtype == ScalarType.BFloat16 && Kernels.EncoderHead.Handles(convs, hidden, fcMu, fcLogVar))
        {
            var (kernelMu, kernelLogVar) = Kernels.EncoderHead.Apply(StepMarks.Layer(convs, hidden), hidden, fcMu, fcLogVar);
            return (kernelMu.to(x.dtype).MoveToOuterDisposeScope(), kernelLogVar.to(x.dtype).MoveToOuterDisposeScope());
        }
        var features = LowPrecision.Run(layers.TakeLast(3), convs, options);
        var mu = LowPrecision.Run([fcMu], features, options).to(x.dtype);
        var logVar = LowPrecision.Run([fcLogVar], features, options).to(x.dtype);
        return (mu.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }
}
