using Sbvae.Kernels;
using Sbvae.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Engine;

/// <summary><see cref="SpatialBroadcastDecoder.forward"/> computed with the engine's levers: the same function.</summary>
internal sealed class BroadcastDecoderForward(SpatialBroadcastDecoder decoder)
{
    // The coordinate planes' im2col for the factored first conv, kept for z's dtype and device
    // (it depends on no weight; rebuilding it cost about 0.2 ms a step).
    private Tensor? coordinateColumns;

    Tensor CoordinateColumns(Tensor z, Conv2d first)
    {
        var kept = coordinateColumns;
        if (kept is not null && kept.dtype == z.dtype && kept.device_type == z.device_type && kept.device_index == z.device_index) return kept;
        var built = BroadcastConv.CoordinateColumns(decoder.XGrid, decoder.YGrid, first.padding![0], z.dtype).DetachFromDisposeScope();
        coordinateColumns = built; // a worker still using the one it replaces keeps it alive
        return built;
    }

    public Tensor Run(Tensor z, EngineOptions options)
    {
        using var scope = NewDisposeScope();
        var layers = decoder.Convs;
        var first = (Conv2d)layers[0];
        Tensor h;
        int next = 1; // the first layer not yet applied
        z = StepMarks.Layer(z, first);
        if (FusesFirstLayer(z, first, options))
        {
            // conv, relu, bf16 and channels-last in one pass (Kernels.BroadcastRelu).
            var (zPart, coordPart) = BroadcastConv.Parts(z, first, decoder.XGrid, decoder.YGrid, CoordinateColumns(z, first));
            h = BroadcastRelu.Apply(zPart, coordPart);
            next = 2;
        }
        else
        {
            // The first conv straight from z (no tiled input) unless the plain graph is asked for.
            h = options.FactoredBroadcast
                ? BroadcastConv.Forward(z, first, decoder.XGrid, decoder.YGrid, CoordinateColumns(z, first))
                : first.forward(decoder.Broadcast(z));
            if (options.ChannelsLast) h = Layout.ToChannelsLast(h);
        }
        for (int i = next; i < 3; i++) h = LowPrecision.Apply((Module<Tensor, Tensor>)layers[i], h, options.Dtype); // up to the 64→64 conv
        var last = (Conv2d)layers[4];
        // The output kernel applies the relu before it itself, as it loads the activation.
        if (options.OutputKernel && OutputConv.Handles(h, last))
            return OutputConv.Apply(StepMarks.Layer(h, last), last).to(z.dtype).MoveToOuterDisposeScope();
        h = LowPrecision.Apply((Module<Tensor, Tensor>)layers[3], h, options.Dtype); // its relu
        return SafeOutputConv.Apply(StepMarks.Layer(h, last), last).to(z.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The bf16 channels-last path on the CPU with fp32 z: the first layer runs as one kernel (<see cref="BroadcastRelu"/>).</summary>
    static bool FusesFirstLayer(Tensor z, Conv2d first, EngineOptions options) =>
        options is { FusedFirstLayer: true, FactoredBroadcast: true, ChannelsLast: true, Precision: Precision.Bf16 }
        && z.device_type == DeviceType.CPU && z.dtype == ScalarType.Float32 && first.out_channels % 16 == 0;
}
