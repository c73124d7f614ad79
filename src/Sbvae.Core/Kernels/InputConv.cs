using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// The encoder's first conv and its relu (3 → 64 channels, 4×4, stride 2, padding 1) on the bf16
/// channels-last path: reads the fp32 image, accumulates in fp32 and writes relu(conv) rounded to
/// bf16, channels-last, which the next (bf16) conv reads as it is. Backward computes the weight and
/// bias gradients from the bf16 gradient, masked where the output is zero; the image needs none.
/// libtorch runs this 3-input-channel conv far below its usual speed (about 48 GFLOP/s on one core),
/// and its relu and the cast to bf16 are two more passes over a 64-channel activation each way.
/// Input: image (B, 3, S, S) fp32, S even, not requiring a gradient; weight (64, 3, 4, 4) and bias (64)
/// fp32. Output: (B, 64, S/2, S/2) bf16, channels-last storage.
/// Written for 16-lane (AVX-512) vectors, used only where they are native. Rows are split over
/// libtorch's thread count (one thread on the batch-split training path, where each core runs its
/// own share); the weight gradient is summed over the parts in a fixed order.
/// </summary>
internal sealed class InputConv : autograd.SingleTensorFunction<InputConv>
{
    const int Inputs = 3, Outputs = Block64.Channels, Taps = 4, Lanes = Block64.Lanes;
    const int RowTaps = Taps * Inputs, TapCount = Taps * RowTaps; // 12 taps (v, c) per kernel row u; 48 in all
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(InputConv);

    /// <summary>Whether the kernel computes this conv (before a relu) on <paramref name="x"/>.</summary>
    public static bool Handles(Tensor x, TorchSharp.Modules.Conv2d conv) =>
        Vector512.IsHardwareAccelerated && x.dtype == ScalarType.Float32 && x.device_type == DeviceType.CPU && x.dim() == 4
        && !x.requires_grad && x.shape[1] == Inputs && x.shape[2] == x.shape[3] && x.shape[2] % 2 == 0 && x.shape[2] >= 2
        && conv.weight is { } w && w.dtype == ScalarType.Float32 && w.shape is [Outputs, Inputs, Taps, Taps]
        && conv.bias is not null && conv.kernel_size is [Taps, Taps] && conv.stride is [2, 2] && conv.padding is [1, 1]
        && conv.dilation is [1, 1] && conv.groups == 1 && conv.padding_mode == TorchSharp.PaddingModes.Zeros;

    /// <summary>relu(conv(<paramref name="x"/>)) in bf16, channels-last.</summary>
    public static Tensor Apply(Tensor x, TorchSharp.Modules.Conv2d conv)
    {
        var (weight, bias) = (conv.weight!, conv.bias!);
        // Without gradients, no autograd node: TorchSharp's would keep the output alive until a garbage collection.
        if (!is_grad_enabled() || !(weight.requires_grad || bias.requires_grad))
        {
            using var scope = NewDisposeScope();
            var (padded, taps) = Prepare(x, weight);
            return Forward(padded, taps, bias.detach()).MoveToOuterDisposeScope();
        }
        return apply(x, weight, bias);
    }

    /// <summary>The image zero-padded by 1 as (B, S+2, S+2, 3), and the weights as (u, v, c, o): each tap's 64 outputs together.</summary>
    static (Tensor Padded, Tensor Taps) Prepare(Tensor x, Tensor weight) =>
        (nn.functional.pad(x.detach(), [1, 1, 1, 1]).permute(0, 2, 3, 1).contiguous(), weight.detach().permute(2, 3, 1, 0).contiguous());

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        // No dispose scope of its own: the saved tensors must outlive this call until TorchSharp has committed them.
        var (padded, taps) = Prepare(x, weight);
        var output = Forward(padded, taps, bias.detach());
        ctx.save_for_backward([padded, output.detach()]);
        return output;
    }

    static Tensor Forward(Tensor padded, Tensor taps, Tensor bias)
    {
        var shape = Shape.Of(padded);
        var output = empty([shape.B, shape.Side, shape.Side, Outputs], ScalarType.BFloat16);
        var biasValues = bias.contiguous().data<float>().ToArray();
        int rows = shape.B * shape.Side;
        unsafe
        {
            nint pp = (nint)TensorMemory.Pointer<float>(padded), wp = (nint)TensorMemory.Pointer<float>(taps), yp = (nint)TensorMemory.Pointer<ushort>(output);
            TensorMemory.Parallel(get_num_threads(), (part, parts) =>
            {
                fixed (float* b = biasValues)
                    for (int row = rows * part / parts; row < rows * (part + 1) / parts; row++)
                        ForwardRow((float*)pp, (float*)wp, b, (ushort*)yp, shape, row / shape.Side, row % shape.Side);
            });
        }
        return output.permute(0, 3, 1, 2);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (padded, output) = (saved[0], saved[1]);
        var shape = Shape.Of(padded);
        var grad = gradOutput.to(ScalarType.BFloat16);
        if (!grad.permute(0, 2, 3, 1).is_contiguous()) grad = Layout.ToChannelsLast(grad); // dense (B, H, W, C) storage
        int rows = shape.B * shape.Side, parts = Math.Max(1, Math.Min(get_num_threads(), rows));
        var sums = new float[parts][]; // each part's weight gradient (u, v, c, o) and bias gradient
        unsafe
        {
            nint pp = (nint)TensorMemory.Pointer<float>(padded), gp = (nint)TensorMemory.Pointer<ushort>(grad), yp = (nint)TensorMemory.Pointer<ushort>(output);
            TensorMemory.Parallel(parts, (part, _) =>
            {
                var sum = sums[part] = new float[(TapCount + 1) * Outputs];
                var dy = new float[shape.Side * Outputs];
                fixed (float* s = sum, d = dy)
                    for (int row = rows * part / parts; row < rows * (part + 1) / parts; row++)
                        WeightGradientRow((float*)pp, (ushort*)gp, (ushort*)yp, d, s, s + TapCount * Outputs, shape, row / shape.Side, row % shape.Side);
            });
        }
        for (int part = 1; part < parts; part++)
            for (int k = 0; k < sums[0].Length; k++) sums[0][k] += sums[part][k];
        var gradW = tensor(sums[0].AsSpan(0, TapCount * Outputs).ToArray(), [Taps, Taps, Inputs, Outputs]).permute(3, 2, 0, 1).contiguous();
        var gradB = tensor(sums[0].AsSpan(TapCount * Outputs).ToArray(), [Outputs]);
        return Handoff.Hand([null!, gradW.DetachFromDisposeScope(), gradB.DetachFromDisposeScope()]);
    }

    /// <summary>Sizes: batch, padded input side (S + 2), output side (S / 2).</summary>
    readonly record struct Shape(int B, int Padded, int Side)
    {
        public static Shape Of(Tensor padded) => new((int)padded.shape[0], (int)padded.shape[1], (int)(padded.shape[1] - 2) / 2);
    }

    /// <summary>Where output pixel (i, j)'s taps of kernel row u start: 12 floats (v, c) in a row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe float* Window(float* padded, Shape shape, int n, int i, int u, int j) =>
        padded + (((long)n * shape.Padded + 2 * i + u) * shape.Padded + 2 * j) * Inputs;

    /// <summary>Output row i of image n: four pixels at a time (each weight load serves four), the rest one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardRow(float* padded, float* taps, float* bias, ushort* output, Shape shape, int n, int i)
    {
        ushort* y = output + ((long)n * shape.Side + i) * shape.Side * Outputs;
        int j = 0;
        for (; j + 4 <= shape.Side; j += 4) ForwardFour(padded, taps, bias, y + j * Outputs, shape, n, i, j);
        for (; j < shape.Side; j++) ForwardPixel(padded, taps, bias, y + j * Outputs, shape, n, i, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardFour(float* padded, float* taps, float* bias, ushort* y, Shape shape, int n, int i, int j)
    {
        var b0 = Vector512.Load(bias); var b1 = Vector512.Load(bias + Lanes);
        var b2 = Vector512.Load(bias + 2 * Lanes); var b3 = Vector512.Load(bias + 3 * Lanes);
        Vector512<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        Vector512<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        for (int u = 0; u < Taps; u++)
        {
            float* p = Window(padded, shape, n, i, u, j); // pixel j + q starts 2q columns (6 floats) further
            float* w = taps + u * RowTaps * Outputs;
            for (int t = 0; t < RowTaps; t++, w += Outputs)
            {
                var w0 = Vector512.Load(w); var w1 = Vector512.Load(w + Lanes);
                var w2 = Vector512.Load(w + 2 * Lanes); var w3 = Vector512.Load(w + 3 * Lanes);
                var x0 = Vector512.Create(p[t]); var x1 = Vector512.Create(p[t + 6]);
                var x2 = Vector512.Create(p[t + 12]); var x3 = Vector512.Create(p[t + 18]);
                a00 = Vector512.FusedMultiplyAdd(x0, w0, a00); a01 = Vector512.FusedMultiplyAdd(x0, w1, a01);
                a02 = Vector512.FusedMultiplyAdd(x0, w2, a02); a03 = Vector512.FusedMultiplyAdd(x0, w3, a03);
                a10 = Vector512.FusedMultiplyAdd(x1, w0, a10); a11 = Vector512.FusedMultiplyAdd(x1, w1, a11);
                a12 = Vector512.FusedMultiplyAdd(x1, w2, a12); a13 = Vector512.FusedMultiplyAdd(x1, w3, a13);
                a20 = Vector512.FusedMultiplyAdd(x2, w0, a20); a21 = Vector512.FusedMultiplyAdd(x2, w1, a21);
                a22 = Vector512.FusedMultiplyAdd(x2, w2, a22); a23 = Vector512.FusedMultiplyAdd(x2, w3, a23);
                a30 = Vector512.FusedMultiplyAdd(x3, w0, a30); a31 = Vector512.FusedMultiplyAdd(x3, w1, a31);
                a32 = Vector512.FusedMultiplyAdd(x3, w2, a32); a33 = Vector512.FusedMultiplyAdd(x3, w3, a33);
            }
        }
        StoreRelu(y, a00, a01, a02, a03);
        StoreRelu(y + Outputs, a10, a11, a12, a13);
        StoreRelu(y + 2 * Outputs, a20, a21, a22, a23);
        StoreRelu(y + 3 * Outputs, a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardPixel(float* padded, float* taps, float* bias, ushort* y, Shape shape, int n, int i, int j)
    {
        Vector512<float> a0 = Vector512.Load(bias), a1 = Vector512.Load(bias + Lanes), a2 = Vector512.Load(bias + 2 * Lanes), a3 = Vector512.Load(bias + 3 * Lanes);
        for (int u = 0; u < Taps; u++)
        {
            float* p = Window(padded, shape, n, i, u, j);
            float* w = taps + u * RowTaps * Outputs;
            for (int t = 0; t < RowTaps; t++, w += Outputs)
            {
                var x = Vector512.Create(p[t]);
                a0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w), a0);
                a1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + Lanes), a1);
                a2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 2 * Lanes), a2);
                a3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(w + 3 * Lanes), a3);
            }
        }
        StoreRelu(y, a0, a1, a2, a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void StoreRelu(ushort* y, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3) =>
        Block64.Store(y, Vector512.Max(a0, Vector512<float>.Zero), Vector512.Max(a1, Vector512<float>.Zero),
            Vector512.Max(a2, Vector512<float>.Zero), Vector512.Max(a3, Vector512<float>.Zero));

    /// <summary>
    /// Adds output row i of image n's share of the weight gradient, Σ_j dy[j, o] · x[2i + u − 1, 2j + v − 1, c],
    /// to <paramref name="gradTaps"/> (u, v, c, o), and Σ_j dy[j, o] to <paramref name="gradBias"/>, where dy is
    /// the gradient, zero where the output is (the relu's backward), widened once into <paramref name="dy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void WeightGradientRow(float* padded, ushort* grad, ushort* output, float* dy, float* gradTaps, float* gradBias, Shape shape, int n, int i)
    {
        long at = ((long)n * shape.Side + i) * shape.Side * Outputs;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int j = 0; j < shape.Side; j++)
        {
            ushort* g = grad + at + j * Outputs, y = output + at + j * Outputs;
            float* d = dy + j * Outputs;
            var d0 = Masked(g, y); var d1 = Masked(g + Lanes, y + Lanes);
            var d2 = Masked(g + 2 * Lanes, y + 2 * Lanes); var d3 = Masked(g + 3 * Lanes, y + 3 * Lanes);
            d0.Store(d); d1.Store(d + Lanes); d2.Store(d + 2 * Lanes); d3.Store(d + 3 * Lanes);
            s0 += d0; s1 += d1; s2 += d2; s3 += d3;
        }
        Block64.Add(gradBias, s0, s1, s2, s3);
        for (int u = 0; u < Taps; u++)
            for (int v = 0; v < Taps; v++)
                WeightGradientTap(Window(padded, shape, n, i, u, 0) + v * Inputs, dy, gradTaps + (u * RowTaps + v * Inputs) * Outputs, shape.Side);
    }

    /// <summary>The three input channels of one tap (u, v) along the row: x at 2j + v, all 64 outputs in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void WeightGradientTap(float* x, float* dy, float* gradTap, int side)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        for (int j = 0; j < side; j++, x += 2 * Inputs, dy += Outputs)
        {
            var d0 = Vector512.Load(dy); var d1 = Vector512.Load(dy + Lanes);
            var d2 = Vector512.Load(dy + 2 * Lanes); var d3 = Vector512.Load(dy + 3 * Lanes);
            var x0 = Vector512.Create(x[0]); var x1 = Vector512.Create(x[1]); var x2 = Vector512.Create(x[2]);
            a00 = Vector512.FusedMultiplyAdd(x0, d0, a00); a01 = Vector512.FusedMultiplyAdd(x0, d1, a01);
            a02 = Vector512.FusedMultiplyAdd(x0, d2, a02); a03 = Vector512.FusedMultiplyAdd(x0, d3, a03);
            a10 = Vector512.FusedMultiplyAdd(x1, d0, a10); a11 = Vector512.FusedMultiplyAdd(x1, d1, a11);
            a12 = Vector512.FusedMultiplyAdd(x1, d2, a12); a13 = Vector512.FusedMultiplyAdd(x1, d3, a13);
            a20 = Vector512.FusedMultiplyAdd(x2, d0, a20); a21 = Vector512.FusedMultiplyAdd(x2, d1, a21);
            a22 = Vector512.FusedMultiplyAdd(x2, d2, a22); a23 = Vector512.FusedMultiplyAdd(x2, d3, a23);
        }
        Block64.Add(gradTap, a00, a01, a02, a03);
        Block64.Add(gradTap + Outputs, a10, a11, a12, a13);
        Block64.Add(gradTap + 2 * Outputs, a20, a21, a22, a23);
    }

    /// <summary>16 gradient values as fp32, zero where the bf16 output is not positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe Vector512<float> Masked(ushort* grad, ushort* output) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(Bf16.Widen16(Vector256.Load(output)), Vector512<float>.Zero),
            Bf16.Widen16(Vector256.Load(grad)), Vector512<float>.Zero);
}
