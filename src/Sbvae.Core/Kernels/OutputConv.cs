using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// The spatial broadcast decoder's last relu and conv (C → 3 channels, 3×3, stride 1, padding 0
/// or 1) on the bf16 channels-last path: reads the bf16 pre-activation, applies the relu as it
/// loads it, accumulates in fp32 and returns the fp32 image; backward masks the input gradient
/// by the relu as it stores it. Two fewer passes over the decoder's largest activation than a
/// separate relu (forward and backward). libtorch runs this conv with its outputs padded to 16 (its kernels give
/// wrong input gradients below that, see the engine's BroadcastDecoderForward) and rounds the
/// image to bf16; here it costs the arithmetic of 3 outputs, and the image, its gradient and
/// the weight gradient keep fp32 precision.
/// Input: the pre-activation (B, C, S, S) bf16 stored channels-last, C a multiple of 64; weight (3, C, 3, 3) and
/// bias (3) fp32. Output (B, 3, S', S') fp32, S' = S + 2·padding − 2.
/// Written for 16-lane (AVX-512) vectors, used only where they are native. It runs on the calling
/// thread: a .NET thread beside libtorch's OpenMP workers, which spin between ops, halved both in
/// measurements; on the batch-split training path each core runs its own share anyway.
/// </summary>
internal sealed class OutputConv : autograd.SingleTensorFunction<OutputConv>
{
    const int Outputs = 3, Taps = 3, Lanes = Block64.Lanes, Block = Block64.Channels; // channels per register block
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(OutputConv);

    /// <summary>Whether the kernel computes this conv (after a relu): 3×3, 3 outputs, stride 1, padding 0 or 1, bf16 CPU input, channels a multiple of 64, 16-lane vectors native.</summary>
    public static bool Handles(Tensor h, TorchSharp.Modules.Conv2d conv) =>
        Vector512.IsHardwareAccelerated && h.dtype == ScalarType.BFloat16 && h.device_type == DeviceType.CPU && h.dim() == 4
        && conv.weight is { } w && w.shape[0] == Outputs && w.shape[1] % Block == 0 && h.shape[1] == w.shape[1]
        && conv.kernel_size is [Taps, Taps] && conv.stride is [1, 1] && conv.dilation is [1, 1] && conv.groups == 1
        && conv.padding is [var p, var q] && p == q && p is 0 or 1 && conv.bias is not null
        && w.dtype == ScalarType.Float32 && h.shape[2] == h.shape[3] && h.shape[2] + 2 * p - 2 >= 1;

    /// <summary>conv(relu(<paramref name="h"/>)).</summary>
    public static Tensor Apply(Tensor h, TorchSharp.Modules.Conv2d conv)
    {
        if (!Layout.IsChannelsLast(h)) h = Layout.ToChannelsLast(h);
        var (weight, bias, pad) = (conv.weight!, conv.bias!, conv.padding![0]);
        // Without gradients, no autograd node: TorchSharp's would keep the output alive until a garbage collection.
        if (!is_grad_enabled() || !(h.requires_grad || weight.requires_grad || bias.requires_grad))
            return Forward(h, weight.detach().permute(2, 3, 0, 1).contiguous(), bias.detach(), pad).Output;
        return apply(h, weight, bias, pad);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (h, weight, bias, pad) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (long)vars[3]);
        // No dispose scope of its own: the tensors saved for backward must outlive this call until
        // TorchSharp has committed them, so they go to the caller's scope like every temporary here.
        var taps = weight.detach().permute(2, 3, 0, 1).contiguous(); // (u, v, o, c): each tap's weights channels innermost
        var (output, shape) = Forward(h, taps, bias.detach(), pad);
        ctx.save_for_backward([h.detach(), taps]);
        ctx.save_data("shape", shape);
        return output;
    }

    static (Tensor Output, Shape Shape) Forward(Tensor h, Tensor taps, Tensor bias, long pad)
    {
        long b = h.shape[0], c = h.shape[1], s = h.shape[2], side = s + 2 * pad - 2;
        var biasValues = bias.contiguous().data<float>().ToArray();
        var output = empty([b, Outputs, side, side], ScalarType.Float32);
        var shape = new Shape((int)b, (int)c, (int)s, (int)side, (int)pad);
        unsafe
        {
            ushort* hp = TensorMemory.Pointer<ushort>(h);
            float* wp = TensorMemory.Pointer<float>(taps), yp = TensorMemory.Pointer<float>(output);
            for (int row = 0; row < shape.B * shape.Side; row++)
                ForwardRow(hp, wp, biasValues, yp, shape, row / shape.Side, row % shape.Side);
        }
        return (output, shape);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (h, taps) = (saved[0], saved[1]);
        var shape = (Shape)ctx.get_data("shape");
        var grad = gradOutput.to(ScalarType.Float32).contiguous();
        var gradH = empty([shape.B, shape.S, shape.S, shape.C], ScalarType.BFloat16);
        int tapSize = Taps * Taps * Outputs * shape.C;
        var sums = new float[tapSize + Outputs];
        unsafe
        {
            ushort* hp = TensorMemory.Pointer<ushort>(h), ghp = TensorMemory.Pointer<ushort>(gradH);
            float* wp = TensorMemory.Pointer<float>(taps), gp = TensorMemory.Pointer<float>(grad);
            fixed (float* gradTaps = sums)
            {
                for (int row = 0; row < shape.B * shape.S; row++)
                    InputGradientRow(gp, wp, hp, ghp, shape, row / shape.S, row % shape.S);
                for (int row = 0; row < shape.B * shape.Side; row++)
                    WeightGradientRow(gp, hp, gradTaps, gradTaps + tapSize, shape, row / shape.Side, row % shape.Side);
            }
        }
        var gradW = tensor(sums.AsSpan(0, tapSize).ToArray(), [Taps, Taps, Outputs, shape.C]).permute(2, 3, 0, 1).contiguous();
        var gradB = tensor(sums.AsSpan(tapSize).ToArray(), [Outputs]);
        return Handoff.Hand([gradH.permute(0, 3, 1, 2).DetachFromDisposeScope(), gradW.DetachFromDisposeScope(), gradB.DetachFromDisposeScope(), null!]);
    }

    /// <summary>Sizes: batch, input channels, input side, output side, padding.</summary>
    internal readonly record struct Shape(int B, int C, int S, int Side, int Pad);

    /// <summary>Output row i of image n: interior pixels four at a time (every tap inside the input), the border one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardRow(ushort* h, float* taps, float[] bias, float* output, Shape shape, int n, int i)
    {
        int first = shape.Pad, last = shape.S - 3 + shape.Pad; // columns whose three taps all fall inside
        int j = 0;
        for (; j < Math.Min(first, shape.Side); j++) ForwardPixel(h, taps, bias, output, shape, n, i, j);
        for (; j + 3 <= Math.Min(last, shape.Side - 1); j += 4) ForwardFour(h, taps, bias, output, shape, n, i, j);
        for (; j < shape.Side; j++) ForwardPixel(h, taps, bias, output, shape, n, i, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe ushort* Pixel(ushort* h, Shape shape, int n, int y, int x) => h + (((long)n * shape.S + y) * shape.S + x) * shape.C;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe float* Out(float* output, Shape shape, int n, int o, int i, int j) => output + (((long)n * Outputs + o) * shape.Side + i) * shape.Side + j;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardPixel(ushort* h, float* taps, float[] bias, float* output, Shape shape, int n, int i, int j)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default;
        int c = shape.C;
        for (int u = 0; u < Taps; u++)
        {
            int y = i + u - shape.Pad;
            if ((uint)y >= (uint)shape.S) continue;
            for (int v = 0; v < Taps; v++)
            {
                int x = j + v - shape.Pad;
                if ((uint)x >= (uint)shape.S) continue;
                ushort* hp = Pixel(h, shape, n, y, x);
                float* w = taps + (u * Taps + v) * Outputs * c;
                for (int k = 0; k < c; k += Lanes)
                {
                    var hv = Bf16.WidenRelu16(Vector256.Load(hp + k));
                    a0 = Vector512.FusedMultiplyAdd(hv, Vector512.Load(w + k), a0);
                    a1 = Vector512.FusedMultiplyAdd(hv, Vector512.Load(w + c + k), a1);
                    a2 = Vector512.FusedMultiplyAdd(hv, Vector512.Load(w + 2 * c + k), a2);
                }
            }
        }
        *Out(output, shape, n, 0, i, j) = bias[0] + Vector512.Sum(a0);
        *Out(output, shape, n, 1, i, j) = bias[1] + Vector512.Sum(a1);
        *Out(output, shape, n, 2, i, j) = bias[2] + Vector512.Sum(a2);
    }

    /// <summary>Pixels j..j+3 of an output row, all of whose column taps fall inside: each weight load serves four pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardFour(ushort* h, float* taps, float[] bias, float* output, Shape shape, int n, int i, int j)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        int c = shape.C;
        for (int u = 0; u < Taps; u++)
        {
            int y = i + u - shape.Pad;
            if ((uint)y >= (uint)shape.S) continue;
            for (int v = 0; v < Taps; v++)
            {
                ushort* hp = Pixel(h, shape, n, y, j + v - shape.Pad);
                float* w = taps + (u * Taps + v) * Outputs * c;
                for (int k = 0; k < c; k += Lanes)
                {
                    var w0 = Vector512.Load(w + k);
                    var w1 = Vector512.Load(w + c + k);
                    var w2 = Vector512.Load(w + 2 * c + k);
                    var h0 = Bf16.WidenRelu16(Vector256.Load(hp + k));
                    var h1 = Bf16.WidenRelu16(Vector256.Load(hp + c + k));
                    var h2 = Bf16.WidenRelu16(Vector256.Load(hp + 2 * c + k));
                    var h3 = Bf16.WidenRelu16(Vector256.Load(hp + 3 * c + k));
                    a00 = Vector512.FusedMultiplyAdd(h0, w0, a00); a01 = Vector512.FusedMultiplyAdd(h1, w0, a01);
                    a02 = Vector512.FusedMultiplyAdd(h2, w0, a02); a03 = Vector512.FusedMultiplyAdd(h3, w0, a03);
                    a10 = Vector512.FusedMultiplyAdd(h0, w1, a10); a11 = Vector512.FusedMultiplyAdd(h1, w1, a11);
                    a12 = Vector512.FusedMultiplyAdd(h2, w1, a12); a13 = Vector512.FusedMultiplyAdd(h3, w1, a13);
                    a20 = Vector512.FusedMultiplyAdd(h0, w2, a20); a21 = Vector512.FusedMultiplyAdd(h1, w2, a21);
                    a22 = Vector512.FusedMultiplyAdd(h2, w2, a22); a23 = Vector512.FusedMultiplyAdd(h3, w2, a23);
                }
            }
        }
        float* o0 = Out(output, shape, n, 0, i, j), o1 = Out(output, shape, n, 1, i, j), o2 = Out(output, shape, n, 2, i, j);
        o0[0] = bias[0] + Vector512.Sum(a00); o0[1] = bias[0] + Vector512.Sum(a01); o0[2] = bias[0] + Vector512.Sum(a02); o0[3] = bias[0] + Vector512.Sum(a03);
        o1[0] = bias[1] + Vector512.Sum(a10); o1[1] = bias[1] + Vector512.Sum(a11); o1[2] = bias[1] + Vector512.Sum(a12); o1[3] = bias[1] + Vector512.Sum(a13);
        o2[0] = bias[2] + Vector512.Sum(a20); o2[1] = bias[2] + Vector512.Sum(a21); o2[2] = bias[2] + Vector512.Sum(a22); o2[3] = bias[2] + Vector512.Sum(a23);
    }

    /// <summary>
    /// Input gradient of row y of image n: at input pixel (y, x), the sum over taps (u, v) and
    /// outputs o of grad[o, y − u + pad, x − v + pad] · w[o, ·, u, v], zero where the relu's input
    /// h[y, x, ·] ≤ 0, 64 channels at a time;
    /// interior pixels four at a time (each weight load serves four), the border one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradientRow(float* grad, float* taps, ushort* h, ushort* gradH, Shape shape, int n, int y)
    {
        int first = 2 - shape.Pad, last = shape.Side - 1 - shape.Pad; // columns whose three taps all land on an output
        int x = 0;
        for (; x < Math.Min(first, shape.S); x++) InputGradientPixel(grad, taps, h, gradH, shape, n, y, x);
        for (; x + 3 <= Math.Min(last, shape.S - 1); x += 4) InputGradientFour(grad, taps, h, gradH, shape, n, y, x);
        for (; x < shape.S; x++) InputGradientPixel(grad, taps, h, gradH, shape, n, y, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradientPixel(float* grad, float* taps, ushort* h, ushort* gradH, Shape shape, int n, int y, int x)
    {
        int c = shape.C;
        long at = (((long)n * shape.S + y) * shape.S + x) * c;
        ushort* target = gradH + at, pre = h + at;
        for (int k = 0; k < c; k += Block)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int u = 0; u < Taps; u++)
            {
                int i = y - u + shape.Pad;
                if ((uint)i >= (uint)shape.Side) continue;
                for (int v = 0; v < Taps; v++)
                {
                    int j = x - v + shape.Pad;
                    if ((uint)j >= (uint)shape.Side) continue;
                    float* w = taps + (u * Taps + v) * Outputs * c + k;
                    for (int o = 0; o < Outputs; o++, w += c)
                    {
                        var g = Vector512.Create(*Out(grad, shape, n, o, i, j));
                        a0 = Vector512.FusedMultiplyAdd(g, Vector512.Load(w), a0);
                        a1 = Vector512.FusedMultiplyAdd(g, Vector512.Load(w + Lanes), a1);
                        a2 = Vector512.FusedMultiplyAdd(g, Vector512.Load(w + 2 * Lanes), a2);
                        a3 = Vector512.FusedMultiplyAdd(g, Vector512.Load(w + 3 * Lanes), a3);
                    }
                }
            }
            Block64.StoreWherePositive(target + k, pre + k, a0, a1, a2, a3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradientFour(float* grad, float* taps, ushort* h, ushort* gradH, Shape shape, int n, int y, int x)
    {
        int c = shape.C;
        long at = (((long)n * shape.S + y) * shape.S + x) * c;
        ushort* target = gradH + at, pre = h + at;
        for (int k = 0; k < c; k += Block)
        {
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            for (int u = 0; u < Taps; u++)
            {
                int i = y - u + shape.Pad;
                if ((uint)i >= (uint)shape.Side) continue;
                for (int v = 0; v < Taps; v++)
                {
                    float* w = taps + (u * Taps + v) * Outputs * c + k;
                    for (int o = 0; o < Outputs; o++, w += c)
                    {
                        float* g = Out(grad, shape, n, o, i, x - v + shape.Pad);
                        var w0 = Vector512.Load(w);
                        var w1 = Vector512.Load(w + Lanes);
                        var w2 = Vector512.Load(w + 2 * Lanes);
                        var w3 = Vector512.Load(w + 3 * Lanes);
                        var g0 = Vector512.Create(g[0]);
                        var g1 = Vector512.Create(g[1]);
                        var g2 = Vector512.Create(g[2]);
                        var g3 = Vector512.Create(g[3]);
                        a00 = Vector512.FusedMultiplyAdd(g0, w0, a00); a01 = Vector512.FusedMultiplyAdd(g0, w1, a01);
                        a02 = Vector512.FusedMultiplyAdd(g0, w2, a02); a03 = Vector512.FusedMultiplyAdd(g0, w3, a03);
                        a10 = Vector512.FusedMultiplyAdd(g1, w0, a10); a11 = Vector512.FusedMultiplyAdd(g1, w1, a11);
                        a12 = Vector512.FusedMultiplyAdd(g1, w2, a12); a13 = Vector512.FusedMultiplyAdd(g1, w3, a13);
                        a20 = Vector512.FusedMultiplyAdd(g2, w0, a20); a21 = Vector512.FusedMultiplyAdd(g2, w1, a21);
                        a22 = Vector512.FusedMultiplyAdd(g2, w2, a22); a23 = Vector512.FusedMultiplyAdd(g2, w3, a23);
                        a30 = Vector512.FusedMultiplyAdd(g3, w0, a30); a31 = Vector512.FusedMultiplyAdd(g3, w1, a31);
                        a32 = Vector512.FusedMultiplyAdd(g3, w2, a32); a33 = Vector512.FusedMultiplyAdd(g3, w3, a33);
                    }
                }
            }
            Block64.StoreWherePositive(target + k, pre + k, a00, a01, a02, a03);
            Block64.StoreWherePositive(target + c + k, pre + c + k, a10, a11, a12, a13);
            Block64.StoreWherePositive(target + 2 * c + k, pre + 2 * c + k, a20, a21, a22, a23);
            Block64.StoreWherePositive(target + 3 * c + k, pre + 3 * c + k, a30, a31, a32, a33);
        }
    }

    /// <summary>
    /// Adds output row i of image n's share of the weight gradient, Σ_j grad[o, i, j] · h[i + u − pad, j + v − pad, ·],
    /// to <paramref name="gradTaps"/> (u, v, o, c), and its bias gradient to <paramref name="gradBias"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void WeightGradientRow(float* grad, ushort* h, float* gradTaps, float* gradBias, Shape shape, int n, int i)
    {
        int c = shape.C;
        float* g0 = Out(grad, shape, n, 0, i, 0), g1 = Out(grad, shape, n, 1, i, 0), g2 = Out(grad, shape, n, 2, i, 0);
        for (int j = 0; j < shape.Side; j++) { gradBias[0] += g0[j]; gradBias[1] += g1[j]; gradBias[2] += g2[j]; }
        for (int u = 0; u < Taps; u++)
        {
            int y = i + u - shape.Pad;
            if ((uint)y >= (uint)shape.S) continue;
            for (int v = 0; v < Taps; v++)
            {
                // columns j whose input column j + v − pad falls inside
                int from = Math.Max(0, shape.Pad - v), to = Math.Min(shape.Side, shape.S - v + shape.Pad);
                float* w = gradTaps + (u * Taps + v) * Outputs * c;
                for (int k = 0; k < c; k += Block)
                {
                    Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
                    Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
                    Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
                    ushort* hp = Pixel(h, shape, n, y, from + v - shape.Pad) + k;
                    for (int j = from; j < to; j++, hp += c)
                    {
                        var h0 = Bf16.WidenRelu16(Vector256.Load(hp));
                        var h1 = Bf16.WidenRelu16(Vector256.Load(hp + Lanes));
                        var h2 = Bf16.WidenRelu16(Vector256.Load(hp + 2 * Lanes));
                        var h3 = Bf16.WidenRelu16(Vector256.Load(hp + 3 * Lanes));
                        var s0 = Vector512.Create(g0[j]);
                        var s1 = Vector512.Create(g1[j]);
                        var s2 = Vector512.Create(g2[j]);
                        a00 = Vector512.FusedMultiplyAdd(s0, h0, a00); a01 = Vector512.FusedMultiplyAdd(s0, h1, a01);
                        a02 = Vector512.FusedMultiplyAdd(s0, h2, a02); a03 = Vector512.FusedMultiplyAdd(s0, h3, a03);
                        a10 = Vector512.FusedMultiplyAdd(s1, h0, a10); a11 = Vector512.FusedMultiplyAdd(s1, h1, a11);
                        a12 = Vector512.FusedMultiplyAdd(s1, h2, a12); a13 = Vector512.FusedMultiplyAdd(s1, h3, a13);
                        a20 = Vector512.FusedMultiplyAdd(s2, h0, a20); a21 = Vector512.FusedMultiplyAdd(s2, h1, a21);
                        a22 = Vector512.FusedMultiplyAdd(s2, h2, a22); a23 = Vector512.FusedMultiplyAdd(s2, h3, a23);
                    }
                    Block64.Add(w + k, a00, a01, a02, a03);
                    Block64.Add(w + c + k, a10, a11, a12, a13);
                    Block64.Add(w + 2 * c + k, a20, a21, a22, a23);
                }
            }
        }
    }
}
