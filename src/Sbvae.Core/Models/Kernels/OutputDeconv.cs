using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Models.Kernels;

/// <summary>
/// The deconv decoder's last relu and layer (C → 3 channels, 4×4 transposed conv, stride 2,
/// padding 1) on the bf16 channels-last path, in fp32 arithmetic like libtorch's, as one pass per
/// direction: libtorch's transposed conv with 3 outputs runs far below its 64-output speed. It
/// reads the bf16 pre-activation, applying the relu as it loads it, and masks the input gradient
/// by the relu as it stores it (in bf16): no separate relu, fp32 copy, or their backward. Output pixel (2i + a, 2j + b)
/// sums two rows m ∈ {i, i − 1} (a = 0, kernel rows 1, 3) or {i + 1, i} (a = 1, rows 0, 2) of the
/// input, and likewise two columns: four taps of C channels per output.
/// Input: the pre-activation (B, C, S, S) bf16 stored channels-last, C a multiple of 64; weight (C, 3, 4, 4) and
/// bias (3) fp32. Output (B, 3, 2S, 2S) fp32. Written for 16-lane (AVX-512) vectors, used only
/// where they are native, on the calling thread (see <see cref="OutputConv"/>).
/// </summary>
internal sealed class OutputDeconv : autograd.SingleTensorFunction<OutputDeconv>
{
    const int Outputs = 3, Kernel = 4, Lanes = Block64.Lanes, Block = Block64.Channels;
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(OutputDeconv);

    /// <summary>Whether the kernel computes this layer (after a relu): 4×4, stride 2, padding 1, 3 outputs, bf16 CPU input, channels a multiple of 64, 16-lane vectors native.</summary>
    public static bool Handles(Tensor x, TorchSharp.Modules.ConvTranspose2d conv) =>
        Vector512.IsHardwareAccelerated && x.dtype == ScalarType.BFloat16 && x.device_type == DeviceType.CPU && x.dim() == 4
        && conv.weight is { } w && w.dtype == ScalarType.Float32 && w.shape[1] == Outputs && w.shape[0] % Block == 0 && x.shape[1] == w.shape[0]
        && conv.kernel_size is [Kernel, Kernel] && conv.stride is [2, 2] && conv.padding is [1, 1] && conv.dilation is [1, 1]
        && conv.output_padding is null or [0, 0] && conv.groups == 1 && conv.bias is not null && x.shape[2] == x.shape[3];

    /// <summary>conv_transpose(relu(<paramref name="x"/>)).</summary>
    public static Tensor Apply(Tensor x, TorchSharp.Modules.ConvTranspose2d conv)
    {
        if (!LowPrecision.IsChannelsLast(x)) x = LowPrecision.ToChannelsLast(x);
        var (weight, bias) = (conv.weight!, conv.bias!);
        // Without gradients, no autograd node (see OutputConv.Apply).
        if (!is_grad_enabled() || !(x.requires_grad || weight.requires_grad || bias.requires_grad))
            return Forward(x, Taps(weight), bias.detach()).Output;
        return apply(x, weight, bias);
    }

    /// <summary>(ky, kx, o, c): each tap's weights, channels innermost.</summary>
    static Tensor Taps(Tensor weight) => weight.detach().permute(2, 3, 1, 0).contiguous();

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        // No dispose scope of its own: the saved tensors must outlive this call (see OutputConv.forward).
        var taps = Taps(weight);
        var (output, shape) = Forward(x, taps, bias.detach());
        ctx.save_for_backward([x.detach(), taps]);
        ctx.save_data("shape", shape);
        return output;
    }

    static (Tensor Output, Shape Shape) Forward(Tensor x, Tensor taps, Tensor bias)
    {
        var shape = new Shape((int)x.shape[0], (int)x.shape[1], (int)x.shape[2]);
        var biasValues = bias.contiguous().data<float>().ToArray();
        var output = empty([shape.B, Outputs, 2 * shape.S, 2 * shape.S], ScalarType.Float32);
        unsafe
        {
            ushort* xp = TensorMemory.Pointer<ushort>(x);
            float* wp = TensorMemory.Pointer<float>(taps), yp = TensorMemory.Pointer<float>(output);
            for (int row = 0; row < shape.B * 2 * shape.S; row++)
                ForwardRow(xp, wp, biasValues, yp, shape, row / (2 * shape.S), row % (2 * shape.S));
        }
        return (output, shape);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (x, taps) = (saved[0], saved[1]);
        var shape = (Shape)ctx.get_data("shape");
        var grad = gradOutput.to(ScalarType.Float32).contiguous();
        var gradX = empty([shape.B, shape.S, shape.S, shape.C], ScalarType.BFloat16);
        int tapSize = Kernel * Kernel * Outputs * shape.C;
        var sums = new float[tapSize + Outputs];
        unsafe
        {
            ushort* xp = TensorMemory.Pointer<ushort>(x), gxp = TensorMemory.Pointer<ushort>(gradX);
            float* wp = TensorMemory.Pointer<float>(taps), gp = TensorMemory.Pointer<float>(grad);
            fixed (float* gradTaps = sums)
            {
                for (int row = 0; row < shape.B * shape.S; row++)
                    InputGradientRow(gp, wp, xp, gxp, shape, row / shape.S, row % shape.S);
                for (int row = 0; row < shape.B * 2 * shape.S; row++)
                    WeightGradientRow(gp, xp, gradTaps, gradTaps + tapSize, shape, row / (2 * shape.S), row % (2 * shape.S));
            }
        }
        var gradW = tensor(sums.AsSpan(0, tapSize).ToArray(), [Kernel, Kernel, Outputs, shape.C]).permute(3, 2, 0, 1).contiguous();
        var gradB = tensor(sums.AsSpan(tapSize).ToArray(), [Outputs]);
        return Handoff.Hand([gradX.permute(0, 3, 1, 2).DetachFromDisposeScope(), gradW.DetachFromDisposeScope(), gradB.DetachFromDisposeScope()]);
    }

    /// <summary>Sizes: batch, input channels, input side (the output side is twice it).</summary>
    internal readonly record struct Shape(int B, int C, int S);

    /// <summary>The two (input offset, kernel index) pairs that reach an output of parity <paramref name="parity"/>: input = output / 2 + offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (int Offset, int K) Tap(int parity, int t) => parity == 0 ? (t == 0 ? (0, 1) : (-1, 3)) : (t == 0 ? (1, 0) : (0, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe ushort* Pixel(ushort* x, Shape shape, int n, int m, int col) => x + (((long)n * shape.S + m) * shape.S + col) * shape.C;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe float* Out(float* output, Shape shape, int n, int o, int y, int x) => output + (((long)n * Outputs + o) * 2 * shape.S + y) * 2 * shape.S + x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe float* TapWeights(float* taps, Shape shape, int ky, int kx) => taps + (ky * Kernel + kx) * Outputs * shape.C;

    /// <summary>Output row y of image n: for each column parity, interior columns four at a time, the border one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardRow(ushort* x, float* taps, float[] bias, float* output, Shape shape, int n, int y)
    {
        for (int b = 0; b < 2; b++)
        {
            int first = b == 0 ? 1 : 0, last = b == 0 ? shape.S - 1 : shape.S - 2; // j whose two input columns exist
            int j = 0;
            for (; j < Math.Min(first, shape.S); j++) ForwardPixel(x, taps, bias, output, shape, n, y, j, b);
            for (; j + 3 <= last; j += 4) ForwardFour(x, taps, bias, output, shape, n, y, j, b);
            for (; j < shape.S; j++) ForwardPixel(x, taps, bias, output, shape, n, y, j, b);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardPixel(ushort* x, float* taps, float[] bias, float* output, Shape shape, int n, int y, int j, int b)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default;
        int c = shape.C;
        for (int tr = 0; tr < 2; tr++)
        {
            var (dm, ky) = Tap(y & 1, tr);
            int m = (y >> 1) + dm;
            if ((uint)m >= (uint)shape.S) continue;
            for (int tc = 0; tc < 2; tc++)
            {
                var (dn, kx) = Tap(b, tc);
                int col = j + dn;
                if ((uint)col >= (uint)shape.S) continue;
                ushort* xp = Pixel(x, shape, n, m, col);
                float* w = TapWeights(taps, shape, ky, kx);
                for (int k = 0; k < c; k += Lanes)
                {
                    var xv = Bf16.WidenRelu16(Vector256.Load(xp + k));
                    a0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w + k), a0);
                    a1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w + c + k), a1);
                    a2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w + 2 * c + k), a2);
                }
            }
        }
        int xo = 2 * j + b;
        *Out(output, shape, n, 0, y, xo) = bias[0] + Vector512.Sum(a0);
        *Out(output, shape, n, 1, y, xo) = bias[1] + Vector512.Sum(a1);
        *Out(output, shape, n, 2, y, xo) = bias[2] + Vector512.Sum(a2);
    }

    /// <summary>Output columns 2j + b … 2(j + 3) + b: the same taps, on four consecutive input columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardFour(ushort* x, float* taps, float[] bias, float* output, Shape shape, int n, int y, int j, int b)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        int c = shape.C;
        for (int tr = 0; tr < 2; tr++)
        {
            var (dm, ky) = Tap(y & 1, tr);
            int m = (y >> 1) + dm;
            if ((uint)m >= (uint)shape.S) continue;
            for (int tc = 0; tc < 2; tc++)
            {
                var (dn, kx) = Tap(b, tc);
                ushort* xp = Pixel(x, shape, n, m, j + dn);
                float* w = TapWeights(taps, shape, ky, kx);
                for (int k = 0; k < c; k += Lanes)
                {
                    var w0 = Vector512.Load(w + k);
                    var w1 = Vector512.Load(w + c + k);
                    var w2 = Vector512.Load(w + 2 * c + k);
                    var x0 = Bf16.WidenRelu16(Vector256.Load(xp + k));
                    var x1 = Bf16.WidenRelu16(Vector256.Load(xp + c + k));
                    var x2 = Bf16.WidenRelu16(Vector256.Load(xp + 2 * c + k));
                    var x3 = Bf16.WidenRelu16(Vector256.Load(xp + 3 * c + k));
                    a00 = Vector512.FusedMultiplyAdd(x0, w0, a00); a01 = Vector512.FusedMultiplyAdd(x1, w0, a01);
                    a02 = Vector512.FusedMultiplyAdd(x2, w0, a02); a03 = Vector512.FusedMultiplyAdd(x3, w0, a03);
                    a10 = Vector512.FusedMultiplyAdd(x0, w1, a10); a11 = Vector512.FusedMultiplyAdd(x1, w1, a11);
                    a12 = Vector512.FusedMultiplyAdd(x2, w1, a12); a13 = Vector512.FusedMultiplyAdd(x3, w1, a13);
                    a20 = Vector512.FusedMultiplyAdd(x0, w2, a20); a21 = Vector512.FusedMultiplyAdd(x1, w2, a21);
                    a22 = Vector512.FusedMultiplyAdd(x2, w2, a22); a23 = Vector512.FusedMultiplyAdd(x3, w2, a23);
                }
            }
        }
        float* o0 = Out(output, shape, n, 0, y, 2 * j + b), o1 = Out(output, shape, n, 1, y, 2 * j + b), o2 = Out(output, shape, n, 2, y, 2 * j + b);
        o0[0] = bias[0] + Vector512.Sum(a00); o0[2] = bias[0] + Vector512.Sum(a01); o0[4] = bias[0] + Vector512.Sum(a02); o0[6] = bias[0] + Vector512.Sum(a03);
        o1[0] = bias[1] + Vector512.Sum(a10); o1[2] = bias[1] + Vector512.Sum(a11); o1[4] = bias[1] + Vector512.Sum(a12); o1[6] = bias[1] + Vector512.Sum(a13);
        o2[0] = bias[2] + Vector512.Sum(a20); o2[2] = bias[2] + Vector512.Sum(a21); o2[4] = bias[2] + Vector512.Sum(a22); o2[6] = bias[2] + Vector512.Sum(a23);
    }

    /// <summary>
    /// Input gradient of row m of image n: at input pixel (m, col), the sum over the 16 taps and
    /// the outputs o of grad[o, 2m − 1 + ky, 2col − 1 + kx] · w[·, o, ky, kx], zero where the relu's
    /// input x[m, col, ·] ≤ 0; interior pixels four at a time, the border one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradientRow(float* grad, float* taps, ushort* x, ushort* gradX, Shape shape, int n, int m)
    {
        int col = 0;
        for (; col < Math.Min(1, shape.S); col++) InputGradientPixel(grad, taps, x, gradX, shape, n, m, col);
        for (; col + 3 <= shape.S - 2; col += 4) InputGradientFour(grad, taps, x, gradX, shape, n, m, col);
        for (; col < shape.S; col++) InputGradientPixel(grad, taps, x, gradX, shape, n, m, col);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradientPixel(float* grad, float* taps, ushort* x, ushort* gradX, Shape shape, int n, int m, int col)
    {
        int c = shape.C, side = 2 * shape.S;
        ushort* target = Pixel(gradX, shape, n, m, col), pre = Pixel(x, shape, n, m, col);
        for (int k = 0; k < c; k += Block)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int ky = 0; ky < Kernel; ky++)
            {
                int y = 2 * m - 1 + ky;
                if ((uint)y >= (uint)side) continue;
                for (int kx = 0; kx < Kernel; kx++)
                {
                    int xo = 2 * col - 1 + kx;
                    if ((uint)xo >= (uint)side) continue;
                    float* w = TapWeights(taps, shape, ky, kx) + k;
                    for (int o = 0; o < Outputs; o++, w += c)
                    {
                        var g = Vector512.Create(*Out(grad, shape, n, o, y, xo));
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

    /// <summary>Input columns col … col + 3, all of whose 16 taps land on an output: each weight load serves four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradientFour(float* grad, float* taps, ushort* x, ushort* gradX, Shape shape, int n, int m, int col)
    {
        int c = shape.C, side = 2 * shape.S;
        ushort* target = Pixel(gradX, shape, n, m, col), pre = Pixel(x, shape, n, m, col);
        for (int k = 0; k < c; k += Block)
        {
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            for (int ky = 0; ky < Kernel; ky++)
            {
                int y = 2 * m - 1 + ky;
                if ((uint)y >= (uint)side) continue;
                for (int kx = 0; kx < Kernel; kx++)
                {
                    float* w = TapWeights(taps, shape, ky, kx) + k;
                    for (int o = 0; o < Outputs; o++, w += c)
                    {
                        float* g = Out(grad, shape, n, o, y, 2 * col - 1 + kx);
                        var w0 = Vector512.Load(w);
                        var w1 = Vector512.Load(w + Lanes);
                        var w2 = Vector512.Load(w + 2 * Lanes);
                        var w3 = Vector512.Load(w + 3 * Lanes);
                        var g0 = Vector512.Create(g[0]);
                        var g1 = Vector512.Create(g[2]);
                        var g2 = Vector512.Create(g[4]);
                        var g3 = Vector512.Create(g[6]);
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
    /// Adds output row y of image n's share of the weight gradient, Σ_col grad[o, y, 2col − 1 + kx] · x[m, col, ·]
    /// for the two kernel rows ky that reach row y (m = (y + 1 − ky) / 2), to <paramref name="gradTaps"/>
    /// (ky, kx, o, c), and its bias gradient to <paramref name="gradBias"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void WeightGradientRow(float* grad, ushort* x, float* gradTaps, float* gradBias, Shape shape, int n, int y)
    {
        int c = shape.C, side = 2 * shape.S;
        float* g0 = Out(grad, shape, n, 0, y, 0), g1 = Out(grad, shape, n, 1, y, 0), g2 = Out(grad, shape, n, 2, y, 0);
        for (int xo = 0; xo < side; xo++) { gradBias[0] += g0[xo]; gradBias[1] += g1[xo]; gradBias[2] += g2[xo]; }
        for (int tr = 0; tr < 2; tr++)
        {
            var (dm, ky) = Tap(y & 1, tr);
            int m = (y >> 1) + dm;
            if ((uint)m >= (uint)shape.S) continue;
            for (int kx = 0; kx < Kernel; kx++)
            {
                // input columns col whose output column 2col − 1 + kx falls inside
                int from = kx == 0 ? 1 : 0, to = kx == 3 ? shape.S - 1 : shape.S;
                float* w = TapWeights(gradTaps, shape, ky, kx);
                for (int k = 0; k < c; k += Block)
                {
                    Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
                    Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
                    Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
                    ushort* xp = Pixel(x, shape, n, m, from) + k;
                    for (int col = from; col < to; col++, xp += c)
                    {
                        int xo = 2 * col - 1 + kx;
                        var x0 = Bf16.WidenRelu16(Vector256.Load(xp));
                        var x1 = Bf16.WidenRelu16(Vector256.Load(xp + Lanes));
                        var x2 = Bf16.WidenRelu16(Vector256.Load(xp + 2 * Lanes));
                        var x3 = Bf16.WidenRelu16(Vector256.Load(xp + 3 * Lanes));
                        var s0 = Vector512.Create(g0[xo]);
                        var s1 = Vector512.Create(g1[xo]);
                        var s2 = Vector512.Create(g2[xo]);
                        a00 = Vector512.FusedMultiplyAdd(s0, x0, a00); a01 = Vector512.FusedMultiplyAdd(s0, x1, a01);
                        a02 = Vector512.FusedMultiplyAdd(s0, x2, a02); a03 = Vector512.FusedMultiplyAdd(s0, x3, a03);
                        a10 = Vector512.FusedMultiplyAdd(s1, x0, a10); a11 = Vector512.FusedMultiplyAdd(s1, x1, a11);
                        a12 = Vector512.FusedMultiplyAdd(s1, x2, a12); a13 = Vector512.FusedMultiplyAdd(s1, x3, a13);
                        a20 = Vector512.FusedMultiplyAdd(s2, x0, a20); a21 = Vector512.FusedMultiplyAdd(s2, x1, a21);
                        a22 = Vector512.FusedMultiplyAdd(s2, x2, a22); a23 = Vector512.FusedMultiplyAdd(s2, x3, a23);
                    }
                    Block64.Add(w + k, a00, a01, a02, a03);
                    Block64.Add(w + c + k, a10, a11, a12, a13);
                    Block64.Add(w + 2 * c + k, a20, a21, a22, a23);
                }
            }
        }
    }
}
