using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// relu(first broadcast conv) straight into the bf16 channels-last tensor the next conv reads,
/// in one pass: the pre-activation at (b, i, j) is the z part of its (row class, column class)
/// plus the coordinate part at (i, j) (see the engine's BroadcastConv). Done with libtorch
/// ops this is five passes over the largest activation (add, layout copy, relu, cast, and each
/// one's backward), most of the decoder's time outside the 64→64 conv.
/// Inputs: z part (B, R, R, O) fp32, R = 3 row/column classes (padded) or 1 (unpadded);
/// coordinate part with bias (S, S, O) fp32. Output: (B, O, S, S) bf16, channels-last storage.
/// O must be a multiple of 16.
/// </summary>
internal sealed class BroadcastRelu : autograd.SingleTensorFunction<BroadcastRelu>
{
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(BroadcastRelu);

    public static Tensor Apply(Tensor zPart, Tensor coordPart) => apply(zPart.contiguous(), coordPart.contiguous());

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (zPart, coord) = ((Tensor)vars[0], (Tensor)vars[1]);
        long b = zPart.shape[0], r = zPart.shape[1], o = zPart.shape[3], s = coord.shape[0];
        if (o % 16 != 0 || zPart.dtype != ScalarType.Float32 || coord.dtype != ScalarType.Float32)
            throw new NotSupportedException("BroadcastRelu needs fp32 inputs and a multiple of 16 channels");
        var output = empty([b, s, s, o], ScalarType.BFloat16);
        unsafe { Forward(TensorMemory.Pointer<float>(zPart), TensorMemory.Pointer<float>(coord), TensorMemory.Pointer<ushort>(output), (int)b, (int)r, (int)s, (int)o); }
        var nchw = output.permute(0, 3, 1, 2);
        ctx.save_for_backward([nchw.detach()]);
        ctx.save_data("r", r);
        return nchw;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var output = ctx.get_saved_variables()[0];
        long r = (long)ctx.get_data("r");
        long b = output.shape[0], o = output.shape[1], s = output.shape[2];
        var grad = gradOutput.to(ScalarType.BFloat16);
        if (!grad.permute(0, 2, 3, 1).is_contiguous()) grad = Layout.ToChannelsLast(grad); // dense (B, H, W, C) storage
        var gradZ = zeros(b, r, r, o);
        var gradCoord = empty(s, s, o);
        unsafe
        {
            Backward(TensorMemory.Pointer<ushort>(grad), TensorMemory.Pointer<ushort>(output),
                TensorMemory.Pointer<float>(gradZ), TensorMemory.Pointer<float>(gradCoord), (int)b, (int)r, (int)s, (int)o);
        }
        return Handoff.Hand([gradZ.DetachFromDisposeScope(), gradCoord.DetachFromDisposeScope()]);
    }

    /// <summary>Class of row or column <paramref name="i"/> of <paramref name="s"/>: first, middle or last (one class when unpadded).</summary>
    static int Class(int i, int s, int r) => r == 1 ? 0 : i == 0 ? 0 : i == s - 1 ? 2 : 1;

    static unsafe void Forward(float* zPart, float* coord, ushort* output, int b, int r, int s, int o)
    {
        int rows = b * s;
        nint zp = (nint)zPart, cp = (nint)coord, yp = (nint)output;
        TensorMemory.Parallel(get_num_threads(), (part, parts) =>
            ForwardRows((float*)zp, (float*)cp, (ushort*)yp, rows * part / parts, rows * (part + 1) / parts, r, s, o));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void ForwardRows(float* zPart, float* coord, ushort* output, int first, int end, int r, int s, int o)
    {
        const int lanes = Block64.Lanes;
        for (int row = first; row < end; row++)
        {
            int n = row / s, i = row % s, rc = Class(i, s, r);
            for (int j = 0; j < s; j++)
            {
                float* z = zPart + ((long)(n * r + rc) * r + Class(j, s, r)) * o;
                float* c = coord + ((long)i * s + j) * o;
                ushort* y = output + ((long)row * s + j) * o;
                for (int k = 0; k < o; k += lanes)
                    Bf16.Narrow16(Vector512.Max(Vector512.Load(z + k) + Vector512.Load(c + k), Vector512<float>.Zero)).Store(y + k);
            }
        }
    }

    /// <summary>
    /// g = grad · [output > 0]; z-part gradient = g summed over each image's class regions,
    /// coordinate-part gradient = g summed over the batch. Rows are split between workers,
    /// each with its own z-part sums, added at the end.
    /// </summary>
    static unsafe void Backward(ushort* grad, ushort* output, float* gradZ, float* gradCoord, int b, int r, int s, int o)
    {
        int parts = Math.Max(1, get_num_threads());
        long zSize = (long)b * r * r * o;
        var partials = new float[parts * zSize];
        nint gp = (nint)grad, yp = (nint)output, cp = (nint)gradCoord;
        fixed (float* partial = partials)
        {
            nint pp = (nint)partial;
            TensorMemory.Parallel(parts, (part, count) =>
                BackwardRows((ushort*)gp, (ushort*)yp, (float*)pp + part * zSize, (float*)cp, s * part / count, s * (part + 1) / count, b, r, s, o));
            for (int p = 0; p < parts; p++)
                for (long k = 0; k < zSize; k++) gradZ[k] += partial[p * zSize + k];
        }
    }

    /// <summary>
    /// Rows <paramref name="first"/> to <paramref name="end"/>: each pixel's 16-channel blocks of all
    /// images at once, so the coordinate gradient is summed in registers; each image's z-part
    /// gradient is summed along the row, per column class, and added once per class and row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void BackwardRows(ushort* grad, ushort* output, float* gradZ, float* gradCoord, int first, int end, int b, int r, int s, int o)
    {
        const int lanes = Block64.Lanes;
        int blocks = o / lanes;
        long plane = (long)s * s * o;
        var sums = new Vector512<float>[b * blocks]; // per image and block: this row's sum in the current column class (zero after each flush)
        fixed (Vector512<float>* rowSums = sums)
        {
            for (int i = first; i < end; i++)
            {
                int rc = Class(i, s, r), cc = Class(0, s, r);
                for (int j = 0; j < s; j++)
                {
                    if (Class(j, s, r) != cc)
                    {
                        AddRowSums(rowSums, gradZ, b, blocks, r, rc, cc, o);
                        cc = Class(j, s, r);
                    }
                    long pixel = ((long)i * s + j) * o;
                    for (int kb = 0; kb < blocks; kb++)
                    {
                        var sum = Vector512<float>.Zero;
                        for (int n = 0; n < b; n++)
                        {
                            long at = n * plane + pixel + kb * lanes;
                            var g = Bf16.Widen16(Vector256.Load(grad + at));
                            var y = Bf16.Widen16(Vector256.Load(output + at));
                            g = Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), g, Vector512<float>.Zero);
                            sum += g;
                            rowSums[n * blocks + kb] += g;
                        }
                        sum.Store(gradCoord + pixel + kb * lanes);
                    }
                }
                AddRowSums(rowSums, gradZ, b, blocks, r, rc, cc, o);
            }
        }
    }

    /// <summary>gradZ[n, rc, cc] += each image's row sum, which then starts again from zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void AddRowSums(Vector512<float>* rowSums, float* gradZ, int b, int blocks, int r, int rc, int cc, int o)
    {
        for (int n = 0; n < b; n++)
        {
            float* z = gradZ + ((long)(n * r + rc) * r + cc) * o;
            for (int kb = 0; kb < blocks; kb++)
            {
                ref var sum = ref rowSums[n * blocks + kb];
                (Vector512.Load(z + kb * Block64.Lanes) + sum).Store(z + kb * Block64.Lanes);
                sum = Vector512<float>.Zero;
            }
        }
    }
}
