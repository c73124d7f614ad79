using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

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
        if (!Layout.IsChannelsLast(x)) x = Layout.ToChannelsLast(x);
        var (weight, bias) = (conv.weight!, conv.bias!);
        // Without gradients, no autograd node (see OutputConv.Apply).
        if (!is_grad_enabled() || !(x.requires_grad || weight.requires_grad || bias.requires_grad))
            return Forward(x, weight, bias.detach()).Output;
        return apply(x, weight, bias);
    }

    /// <summary>(ky, kx, o, c): each tap's weights, channels innermost, as the backward reads them.</summary>
    static Tensor Taps(Tensor weight) => weight.detach().permute(2, 3, 1, 0).contiguous();

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        // No dispose scope of its own: the saved tensors must outlive this call (see OutputConv.forward).
        var taps = Taps(weight);
        var (output, shape) = Forward(x, weight, bias.detach());
        ctx.save_for_backward([x.detach(), taps]);
        ctx.save_data("shape", shape);
        return output;
    }

    /// <summary>
    /// Row by row: each input row's relu, widened to fp32, is laid out as channel rows (c, col) with a zero
    /// border, so each output row is computed 16 columns per vector with no border cases and no horizontal
    /// sums: every tap is a shifted load of a channel row times one weight. Output rows 2i and 2i + 1 read
    /// input rows i − 1, i and i + 1, so three laid-out rows in turn serve the image (36 KB for 64 channels of 32 columns).
    /// </summary>
    static (Tensor Output, Shape Shape) Forward(Tensor x, Tensor weight, Tensor bias)
    {
        var shape = new Shape((int)x.shape[0], (int)x.shape[1], (int)x.shape[2]);
        var biasValues = bias.contiguous().data<float>().ToArray();
        var rowWeights = RowWeights(weight.detach().contiguous(), shape.C);
        var output = empty([shape.B, Outputs, 2 * shape.S, 2 * shape.S], ScalarType.Float32);
        unsafe
        {
            ushort* xp = TensorMemory.Pointer<ushort>(x);
            float* yp = TensorMemory.Pointer<float>(output), rows = ChannelRows(shape);
            long slot = (long)shape.C * Pitch(shape.S);
            fixed (float* w = rowWeights, b = biasValues)
                for (int n = 0; n < shape.B; n++)
                {
                    // input row m lives in slot (m + 1) mod 3; rows −1 and S are zeros
                    new Span<float>(rows, (int)slot).Clear();
                    ToChannelRow(xp, rows + slot, shape, n, 0);
                    for (int i = 0; i < shape.S; i++)
                    {
                        float* next = rows + (i + 2) % 3 * slot;
                        if (i + 1 < shape.S) ToChannelRow(xp, next, shape, n, i + 1);
                        else new Span<float>(next, (int)slot).Clear();
                        float* above = rows + i % 3 * slot, here = rows + (i + 1) % 3 * slot;
                        ForwardRow(here, 1, above, 3, w, b, yp, shape, n, 2 * i);
                        ForwardRow(next, 0, here, 2, w, b, yp, shape, n, 2 * i + 1);
                    }
                }
        }
        return (output, shape);
    }

    /// <summary>The weight (C, 3, ky, kx) as (ky, c, kx, o): the 12 weights one channel row meets in one kernel row, together.</summary>
    static unsafe float[] RowWeights(Tensor weight, int channels)
    {
        float* w = TensorMemory.Pointer<float>(weight); // through the pointer: the tensor accessor's indexer costs far more than the copy
        var rows = new float[Kernel * channels * Kernel * Outputs];
        for (int c = 0; c < channels; c++)
            for (int o = 0; o < Outputs; o++)
                for (int ky = 0; ky < Kernel; ky++)
                    for (int kx = 0; kx < Kernel; kx++)
                        rows[((ky * channels + c) * Kernel + kx) * Outputs + o] = w[((c * Outputs + o) * Kernel + ky) * Kernel + kx];
        return rows;
    }

    /// <summary>Input columns per channel row: the columns in whole pairs of 16-lane blocks, a zero column before them and zeros after.</summary>
    static int Pitch(int side) => 2 * Lanes * ((side + 2 * Lanes - 1) / (2 * Lanes)) + Lanes;

    /// <summary>
    /// This thread's three slots of C channel rows of <see cref="Pitch"/> floats; the columns outside the image
    /// are zero and stay so, as an input row writes only the inside and a zero row all of its slot.
    /// </summary>
    static unsafe float* ChannelRows(Shape shape)
    {
        if (rowsFor != (shape.S, shape.C))
        {
            rowsBuffer = GC.AllocateArray<float>(3 * shape.C * Pitch(shape.S) + Lanes, pinned: true);
            rowsFor = (shape.S, shape.C);
        }
        return TensorMemory.CacheAligned(rowsBuffer!);
    }

    [ThreadStatic] static float[]? rowsBuffer;
    [ThreadStatic] static (int S, int C) rowsFor;

    /// <summary>Row m of image n's relu(x), fp32, as channel rows: 16 pixels × 16 channels at a time through a register transpose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ToChannelRow(ushort* x, float* rows, Shape shape, int n, int m)
    {
        int pitch = Pitch(shape.S);
        float* block = stackalloc float[Lanes * Lanes];
        for (int col = 0; col < shape.S; col += Lanes)
            for (int k = 0; k < shape.C; k += Lanes)
            {
                for (int p = 0; p < Lanes; p++)
                {
                    var v = col + p < shape.S ? Bf16.WidenRelu16(Vector256.Load(Pixel(x, shape, n, m, col + p) + k)) : Vector512<float>.Zero;
                    v.Store(block + p * Lanes);
                }
                Transpose16x16.Apply(block, Lanes, rows + (long)k * pitch + 1 + col, pitch);
            }
    }

    /// <summary>Interleaves the even-column and odd-column outputs of 16 input columns into 32 output columns.</summary>
    static readonly Vector512<int> EvenOddLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23),
        EvenOddHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary>
    /// Output row y of image n from the channel rows of its two input rows and their kernel rows: row 2i reads
    /// input rows i (kernel row 1) and i − 1 (3), row 2i + 1 rows i + 1 (0) and i (2). Output column 2j + b reads
    /// input columns j, j − 1 (b = 0; kernel columns 1, 3) or j + 1, j (b = 1; columns 0, 2). 32 input columns at
    /// a time, one column parity after the other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardRow(float* rowA, int kyA, float* rowB, int kyB, float* rowWeights, float* bias, float* output, Shape shape, int n, int y)
    {
        int c = shape.C;
        float* even = stackalloc float[2 * Outputs * Lanes], odd = stackalloc float[2 * Outputs * Lanes], spill = stackalloc float[4 * Lanes];
        for (int j = 0; j < shape.S; j += 2 * Lanes)
        {
            // column col of a channel row is input column col − 1: at j + 0, 1, 2 are input columns j − 1, j, j + 1
            float* wa = rowWeights + kyA * c * Kernel * Outputs, wb = rowWeights + kyB * c * Kernel * Outputs;
            ColumnParity(rowA + j, rowB + j, wa, wb, c, Pitch(shape.S), 0, 3, 1, 1, bias, even);
            ColumnParity(rowA + j, rowB + j, wa, wb, c, Pitch(shape.S), 2, 0, 1, 2, bias, odd);
            for (int o = 0; o < Outputs; o++)
                StoreColumns(Out(output, shape, n, o, y, 2 * j), even + 2 * o * Lanes, odd + 2 * o * Lanes, shape.S - j, spill);
        }
    }

    /// <summary>
    /// bias + the sums of input columns j + <paramref name="shiftA"/> − 1 through kernel column <paramref name="kxA"/> and
    /// j + <paramref name="shiftB"/> − 1 through <paramref name="kxB"/>, over the channels of both input rows, for 32
    /// consecutive j and the 3 outputs: (o, j) into <paramref name="sums"/>. One parity at a time keeps the sums in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ColumnParity(float* xa, float* xb, float* wa, float* wb, int c, int pitch, int shiftA, int kxA, int shiftB, int kxB, float* bias, float* sums)
    {
        // Twelve independent sums (per output, column block and kernel column), as the FMA latency needs eight in flight.
        Vector512<float> s0 = default, s1 = default, s2 = default, t0 = default, t1 = default, t2 = default; // kernel column A
        Vector512<float> u0 = default, u1 = default, u2 = default, v0 = default, v1 = default, v2 = default; // kernel column B
        int ka = kxA * Outputs, kb = kxB * Outputs;
        for (int r = 0; r < 2; r++)
        {
            float* x = r == 0 ? xa : xb, w = r == 0 ? wa : wb;
            for (int k = 0; k < c; k++, x += pitch, w += Kernel * Outputs)
            {
                var a = Vector512.Load(x + shiftA); var b = Vector512.Load(x + shiftB);
                var a2 = Vector512.Load(x + shiftA + Lanes); var b2 = Vector512.Load(x + shiftB + Lanes);
                var wa0 = Vector512.Create(w[ka]); var wb0 = Vector512.Create(w[kb]);
                s0 = Vector512.FusedMultiplyAdd(a, wa0, s0); u0 = Vector512.FusedMultiplyAdd(b, wb0, u0);
                t0 = Vector512.FusedMultiplyAdd(a2, wa0, t0); v0 = Vector512.FusedMultiplyAdd(b2, wb0, v0);
                var wa1 = Vector512.Create(w[ka + 1]); var wb1 = Vector512.Create(w[kb + 1]);
                s1 = Vector512.FusedMultiplyAdd(a, wa1, s1); u1 = Vector512.FusedMultiplyAdd(b, wb1, u1);
                t1 = Vector512.FusedMultiplyAdd(a2, wa1, t1); v1 = Vector512.FusedMultiplyAdd(b2, wb1, v1);
                var wa2 = Vector512.Create(w[ka + 2]); var wb2 = Vector512.Create(w[kb + 2]);
                s2 = Vector512.FusedMultiplyAdd(a, wa2, s2); u2 = Vector512.FusedMultiplyAdd(b, wb2, u2);
                t2 = Vector512.FusedMultiplyAdd(a2, wa2, t2); v2 = Vector512.FusedMultiplyAdd(b2, wb2, v2);
            }
        }
        Vector512<float> bias0 = Vector512.Create(bias[0]), bias1 = Vector512.Create(bias[1]), bias2 = Vector512.Create(bias[2]);
        (bias0 + s0 + u0).Store(sums); (bias0 + t0 + v0).Store(sums + Lanes);
        (bias1 + s1 + u1).Store(sums + 2 * Lanes); (bias1 + t1 + v1).Store(sums + 3 * Lanes);
        (bias2 + s2 + u2).Store(sums + 4 * Lanes); (bias2 + t2 + v2).Store(sums + 5 * Lanes);
    }

    /// <summary>Output columns 2j … 2j + 63 of one row from its 32 even and 32 odd ones, the first 2·<paramref name="inputs"/> of them (through <paramref name="all"/>, 64 floats, at the right edge).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void StoreColumns(float* target, float* even, float* odd, int inputs, float* all)
    {
        float* to = inputs >= 2 * Lanes ? target : all;
        var (e, o, e2, o2) = (Vector512.Load(even), Vector512.Load(odd), Vector512.Load(even + Lanes), Vector512.Load(odd + Lanes));
        Avx512F.PermuteVar16x32x2(e, EvenOddLow, o).Store(to);
        Avx512F.PermuteVar16x32x2(e, EvenOddHigh, o).Store(to + Lanes);
        Avx512F.PermuteVar16x32x2(e2, EvenOddLow, o2).Store(to + 2 * Lanes);
        Avx512F.PermuteVar16x32x2(e2, EvenOddHigh, o2).Store(to + 3 * Lanes);
        if (to == all) new Span<float>(all, 2 * inputs).CopyTo(new Span<float>(target, 2 * inputs));
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
