using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Sbvae.Models.Kernels;

namespace Sbvae.Models;

/// <summary>
/// The spatial broadcast decoder (Watters et al. 2019, Fig. 1): tile z over a grid, append
/// x and y coordinate channels (linspace(−1, 1)), and map with unstrided 3×3 convs
/// (k+2→64→64→3). Padded variant (the walk-through): grid = image, padding 1. Unpadded
/// variant (the paper, MONet B.1): no padding, grid larger by (3−1)·3 = 6 so the output is
/// image-sized. Names match the reference state_dict: decoder.decoder_convs.{0,2,4},
/// buffers decoder.x_grid and decoder.y_grid (1×1×G×G).
/// </summary>
public sealed class SpatialBroadcastDecoder : Decoder
{
    private readonly Sequential decoder_convs;
    private readonly Tensor x_grid;
    private readonly Tensor y_grid;

    public int GridSize { get; }

    public SpatialBroadcastDecoder(int latent, int imageSize, bool unpadded = false, int channels = 3)
        : base(nameof(SpatialBroadcastDecoder))
    {
        int pad = unpadded ? 0 : 1;
        GridSize = unpadded ? imageSize + 6 : imageSize;
        decoder_convs = Sequential(
            Conv2d(latent + 2, 64, 3, stride: 1, padding: pad), ReLU(),
            Conv2d(64, 64, 3, stride: 1, padding: pad), ReLU(),
            Conv2d(64, channels, 3, stride: 1, padding: pad));
        // meshgrid "ij": x_grid varies down the rows, y_grid across the columns (SPEC §8).
        using (var axis = linspace(-1, 1, GridSize))
        {
            x_grid = axis.view(1, 1, GridSize, 1).expand(1, 1, GridSize, GridSize).contiguous();
            y_grid = axis.view(1, 1, 1, GridSize).expand(1, 1, GridSize, GridSize).contiguous();
        }
        RegisterComponents();
    }

    // The coordinate planes' im2col for the factored first conv, kept for z's dtype and device
    // (it depends on no weight; rebuilding it cost about 0.2 ms a step). Not a buffer: not saved.
    private Tensor? coordinateColumns;

    Tensor CoordinateColumns(Tensor z, Conv2d first)
    {
        var kept = coordinateColumns;
        if (kept is not null && kept.dtype == z.dtype && kept.device_type == z.device_type && kept.device_index == z.device_index) return kept;
        var built = BroadcastConv.CoordinateColumns(x_grid, y_grid, first.padding![0], z.dtype).DetachFromDisposeScope();
        coordinateColumns = built; // a worker still using the one it replaces keeps it alive
        return built;
    }

    /// <summary>The (B, k+2, G, G) broadcast input: z tiled, then x_grid, then y_grid.</summary>
    public Tensor Broadcast(Tensor z)
    {
        long b = z.shape[0], k = z.shape[1];
        using var scope = NewDisposeScope();
        var tiled = z.view(b, k, 1, 1).expand(b, k, GridSize, GridSize);
        var xs = x_grid.to(z.dtype).expand(b, 1, GridSize, GridSize);
        var ys = y_grid.to(z.dtype).expand(b, 1, GridSize, GridSize);
        return cat([tiled, xs, ys], 1).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var compute = Compute;
        var first = (Conv2d)decoder_convs[0];
        Tensor h;
        int next = 1; // the first layer not yet applied
        z = StepTimeline.Mark(z, first);
        if (FusesFirstLayer(z, first))
        {
            // conv, relu, bf16 and channels-last in one pass (Kernels.BroadcastRelu).
            var (zPart, coordPart) = BroadcastConv.Parts(z, first, x_grid, y_grid, CoordinateColumns(z, first));
            h = BroadcastRelu.Apply(zPart, coordPart);
            next = 2;
        }
        else
        {
            // The first conv straight from z (no tiled input) unless the plain graph is asked for.
            h = compute.FactoredBroadcast ? BroadcastConv.Forward(z, first, x_grid, y_grid, CoordinateColumns(z, first)) : first.forward(Broadcast(z));
            if (compute.ChannelsLast) h = LowPrecision.ToChannelsLast(h);
        }
        for (int i = next; i < 3; i++) h = LowPrecision.Apply((Module<Tensor, Tensor>)decoder_convs[i], h, compute.Dtype); // up to the 64→64 conv
        var last = (Conv2d)decoder_convs[4];
        // The output kernel applies the relu before it itself, as it loads the activation.
        if (compute.OutputKernel && OutputConv.Handles(h, last))
            return OutputConv.Apply(StepTimeline.Mark(h, last), last).to(z.dtype).MoveToOuterDisposeScope();
        h = LowPrecision.Apply((Module<Tensor, Tensor>)decoder_convs[3], h, compute.Dtype); // its relu
        return ToImage(h).to(z.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The bf16 channels-last path on the CPU with fp32 z: the first layer runs as one kernel (<see cref="BroadcastRelu"/>).</summary>
    bool FusesFirstLayer(Tensor z, Conv2d first) =>
        Compute is { FusedFirstLayer: true, FactoredBroadcast: true, ChannelsLast: true, Precision: Precision.Bf16 }
        && z.device_type == DeviceType.CPU && z.dtype == ScalarType.Float32 && first.out_channels % 16 == 0;

    /// <summary>
    /// The last conv (64 → 3 channels). libtorch 2.10's CPU convolution computes a wrong input
    /// gradient when a 3×3 conv has fewer than 16 output channels: fp32 on NCHW input (measured
    /// here for 3, 4 and 8; right for 16 and 32, and right for fp32 channels-last input) and bf16
    /// in either layout (≈60% off for 3). That would corrupt every gradient upstream, so in those
    /// cases the weights are zero-padded to 16 output channels and the first 3 kept: the same
    /// function, the same gradients for the real weights, at a small extra cost. On the bf16
    /// path the conv reads the bf16 activation as it is (no fp32 copy), in bf16 (where the
    /// hand-written <see cref="OutputConv"/> does not apply: it replaces this and the relu before).
    /// </summary>
    private Tensor ToImage(Tensor h)
    {
        var last = (Conv2d)decoder_convs[4];
        h = StepTimeline.Mark(h, last);
        long outCh = last.weight!.shape[0];
        bool low = h.dtype == ScalarType.BFloat16;
        if (!low && (outCh >= SafeOutChannels || LowPrecision.IsChannelsLast(h))) return last.forward(h);
        long padded = Math.Max(outCh, SafeOutChannels);
        var w = functional.pad(last.weight, [0, 0, 0, 0, 0, 0, 0, padded - outCh]).to(h.dtype);
        var b = functional.pad(last.bias!, [0, padded - outCh]).to(h.dtype);
        long pad = last.padding![0];
        return functional.conv2d(h, w, b, padding: [pad, pad]).narrow(1, 0, outCh);
    }

    private const long SafeOutChannels = 16;
}
