using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// A 64 → 64-channel 4×4 stride-2 conv or transposed conv and the relu after it, in fp32, as
/// hand-written passes (<see cref="Stride2Arithmetic"/>): the encoder's and the deconv decoder's
/// layers on planes too small for bf16 (below LowPrecision.MinPlane). On these planes
/// libtorch's per-op cost outweighs the arithmetic (its 64-channel transposed conv from 2×2 to
/// 4×4 takes a quarter of a millisecond for 2 MFLOP), and the relu and its backward are separate
/// passes. The transposed conv is the conv's adjoint, so the same three passes serve both layers:
/// one's forward is the other's input gradient.
/// Input (B, 64, S, S), fp32 or bf16 (computed in fp32); output relu(layer(x)) fp32, channels-last.
/// A pass runs on the calling thread unless it is large (<see cref="Parts"/>): on the batch-split training
/// path each core has its own share anyway.
/// </summary>
internal sealed class Stride2Conv : autograd.SingleTensorFunction<Stride2Conv>
{
    const int Channels = Stride2Arithmetic.Channels;
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(Stride2Conv);

    /// <summary>Whether the kernel computes <paramref name="layer"/> (before a relu) on <paramref name="x"/>.</summary>
    public static bool Handles(nn.Module<Tensor, Tensor> layer, Tensor x) =>
        Vector512.IsHardwareAccelerated && layer is Convolution { in_channels: Channels, out_channels: Channels, groups: 1 } c
        && c.kernel_size is [4, 4] && c.stride is [2, 2] && c.padding is [1, 1] && c.dilation is [1, 1]
        && c.padding_mode == PaddingModes.Zeros && (!c.transposed || c.output_padding is null or [0, 0])
        && c.weight is { dtype: ScalarType.Float32 } w && w.is_contiguous() && c.bias is { dtype: ScalarType.Float32 }
        && x.device_type == DeviceType.CPU && x.dtype is ScalarType.Float32 or ScalarType.BFloat16 && x.dim() == 4
        && x.shape[1] == Channels && x.shape[2] == x.shape[3] && x.shape[2] >= 1 && (c.transposed || x.shape[2] % 2 == 0);

    /// <summary>relu(<paramref name="layer"/>(<paramref name="x"/>)), fp32 channels-last.</summary>
    public static Tensor Apply(Tensor x, Convolution layer)
    {
        using var scope = NewDisposeScope();
        x = x.to(ScalarType.Float32);
        if (!Layout.IsChannelsLast(x)) x = Layout.ToChannelsLast(x);
        var (weight, bias) = (layer.weight!, layer.bias!);
        // Without gradients, no autograd node (see InputConv.Apply).
        var y = !is_grad_enabled() || !(x.requires_grad || weight.requires_grad || bias.requires_grad)
            ? Pass(x, Taps(weight, layer.transposed), bias.detach(), up: layer.transposed, relu: true)
            : apply(x, weight, bias, layer.transposed);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weights as 16 taps (u, v) of [source, destination] channels for the pass that goes up
    /// (small → large) or down. A conv's weight is (out, in, u, v), a transposed conv's (in, out, u, v):
    /// going up reads the small plane's channels, which are the conv's out and the transposed conv's in — dim 0 for both.
    /// </summary>
    static unsafe nint Taps(Tensor weight, bool up)
    {
        float* taps = ScratchTaps();
        Stride2Arithmetic.ToTaps(TensorMemory.Pointer<float>(weight), up, taps);
        return (nint)taps;
    }

    /// <summary>
    /// This thread's buffer for tap matrices: a pass's taps (or the weight gradient's) live only while it runs,
    /// and one buffer that stays put stays in cache — a fresh one each time made the transposes 3–4× slower.
    /// </summary>
    static unsafe float* ScratchTaps()
    {
        scratch ??= GC.AllocateUninitializedArray<float>(Stride2Arithmetic.TapsLength + Block64.Lanes, pinned: true);
        return TensorMemory.CacheAligned(scratch); // whole cache lines
    }

    [ThreadStatic] static float[]? scratch;

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias, transposed) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (bool)vars[3]);
        // No dispose scope of its own: the saved tensors must outlive this call (see InputConv.forward).
        var output = Pass(x, Taps(weight, transposed), bias.detach(), up: transposed, relu: true);
        ctx.save_for_backward([x.detach(), weight.detach(), output.detach()]);
        ctx.save_data("transposed", transposed);
        return output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (x, weight, output) = (saved[0], saved[1], saved[2]);
        bool transposed = (bool)ctx.get_data("transposed");
        var upstream = gradOutput.to(ScalarType.Float32);
        if (!Layout.IsChannelsLast(upstream)) upstream = Layout.ToChannelsLast(upstream);
        var grad = empty([output.shape[0], output.shape[2], output.shape[3], Channels], ScalarType.Float32).permute(0, 3, 1, 2);
        var gradBias = zeros(Channels, ScalarType.Float32);
        unsafe
        {
            Stride2Arithmetic.ReluBackward(TensorMemory.Pointer<float>(upstream), TensorMemory.Pointer<float>(output), TensorMemory.Pointer<float>(grad),
                output.shape[0] * output.shape[2] * output.shape[3], TensorMemory.Pointer<float>(gradBias));
        }
        // The input gradient runs the other way; the weight gradient pairs the large plane with the small one.
        var gradX = Pass(grad, Taps(weight, !transposed), null, up: !transposed, relu: false);
        var gradWeight = transposed ? WeightGradient(large: grad, small: x) : WeightGradient(large: x, small: grad);
        return Handoff.Hand([gradX.DetachFromDisposeScope(), gradWeight.DetachFromDisposeScope(), gradBias.DetachFromDisposeScope(), null!]);
    }

    /// <summary>One pass up (side doubles) or down (side halves) on channels-last <paramref name="x"/>.</summary>
    static Tensor Pass(Tensor x, nint taps, Tensor? bias, bool up, bool relu)
    {
        int images = (int)x.shape[0], side = (int)x.shape[2], outSide = up ? 2 * side : side / 2;
        var output = empty([images, outSide, outSide, Channels], ScalarType.Float32);
        var biasValues = bias?.contiguous().data<float>().ToArray();
        int parts = Parts(images * Math.Max(side, outSide) * Math.Max(side, outSide), outSide * outSide);
        unsafe
        {
            nint xp = (nint)TensorMemory.Pointer<float>(x), wp = taps, yp = (nint)TensorMemory.Pointer<float>(output);
            TensorMemory.Parallel(parts, (part, count) =>
            {
                fixed (float* b = biasValues)
                {
                    if (up) Stride2Arithmetic.Up((float*)xp, images, side, (float*)wp, b, relu, (float*)yp, part, count);
                    else Stride2Arithmetic.Down((float*)xp, images, side, (float*)wp, b, relu, (float*)yp, part, count);
                }
            });
        }
        return output.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// Threads for a pass over <paramref name="largePixels"/> pixels of the large plane, split into at most
    /// <paramref name="pieces"/>: libtorch's thread count where the pass takes a millisecond or more, else one.
    /// Below that, waking .NET workers costs more than they save, and they compete with libtorch's own
    /// threads, which spin for a while after each of its parallel ops.
    /// </summary>
    static int Parts(long largePixels, int pieces) => largePixels < MinParallelPixels ? 1 : Math.Max(1, Math.Min(get_num_threads(), pieces));

    /// <summary>About 0.5 GFLOP of a pass (64 × 64 × 4 taps per large pixel, ×2 for multiply-add).</summary>
    const long MinParallelPixels = 16 * 1024;

    /// <summary>The layer's weight gradient in its own (dim 0, dim 1, u, v) layout, dim 0 the small plane's channels.</summary>
    static Tensor WeightGradient(Tensor large, Tensor small)
    {
        int images = (int)large.shape[0], side = (int)large.shape[2];
        var gradient = empty([Channels, Channels, 4, 4], ScalarType.Float32);
        int parts = Parts(images * side * side, Stride2Arithmetic.Taps);
        unsafe
        {
            nint lp = (nint)TensorMemory.Pointer<float>(large), sp = (nint)TensorMemory.Pointer<float>(small), tp = (nint)ScratchTaps(); // [large channel, small channel] per tap
            TensorMemory.Parallel(parts, (part, count) => Stride2Arithmetic.WeightGradient((float*)lp, (float*)sp, images, side, (float*)tp, part, count));
            Stride2Arithmetic.FromTaps((float*)tp, TensorMemory.Pointer<float>(gradient));
        }
        return gradient;
    }
}
