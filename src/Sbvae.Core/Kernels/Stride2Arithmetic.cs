using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sbvae.Kernels;

/// <summary>
/// The arithmetic of a 64 → 64-channel 4×4 convolution with stride 2 and padding 1 between a
/// large plane (side S) and a small one (side S/2), fp32, channels-last, in the three forms
/// training needs: <see cref="Down"/> (large → small: the conv, and the transposed conv's input
/// gradient), <see cref="Up"/> (small → large: the transposed conv, and the conv's input
/// gradient) and <see cref="WeightGradient"/> (both layers' weight gradient). Small pixel i meets
/// large rows 2i + u − 1 for kernel rows u = 0…3 (columns likewise); rows outside the plane are
/// the zero padding and are skipped. Each output pixel is computed for four images at once, so
/// every weight load serves four pixels, which share which of their taps are inside the plane.
/// Weights are 16 taps (u, v) of a 64 × 64 matrix [source channel, destination channel] (<see cref="ToTaps"/>).
/// </summary>
internal static unsafe class Stride2Arithmetic
{
    public const int Channels = Block64.Channels, Kernel = 4, Taps = Kernel * Kernel;
    /// <summary>
    /// Floats from one tap matrix to the next: 64 × 64 and one vector more, so that the 16 taps of one
    /// weight do not all fall in the same cache set (a 16 KB stride would; the transposes crawl then).
    /// </summary>
    public const int TapStride = Channels * Channels + Block64.Lanes, TapsLength = Taps * TapStride;
    const int Lanes = Block64.Lanes, Images = 4;

    /// <summary>
    /// A layer's weight (dim 0, dim 1, u, v), contiguous, as the 16 taps [source, destination] of the pass
    /// that goes <paramref name="up"/> (source = dim 0) or down (source = dim 1), <see cref="TapStride"/> apart.
    /// </summary>
    public static void ToTaps(float* weight, bool up, float* taps) => Transpose(weight, up, taps, toTaps: true);

    /// <summary>The inverse of <see cref="ToTaps"/>: taps [dim 1, dim 0] (a down pass's) back to a (dim 0, dim 1, u, v) weight.</summary>
    public static void FromTaps(float* taps, float* weight) => Transpose(weight, up: false, taps, toTaps: false);

    /// <summary>Each weight's 16 taps are contiguous in the layer's layout and 16 tap matrices apart in the kernels'; moved 16 weights at a time.</summary>
    static void Transpose(float* weight, bool up, float* taps, bool toTaps)
    {
        for (int a = 0; a < Channels; a++)
            for (int b = 0; b < Channels; b += Lanes)
            {
                // Up: weights (a, b … b + 15), 16 in a row, to tap row a; down: weights (b … b + 15, a), a channel apart, to tap row a.
                float* w = up ? weight + (a * Channels + b) * Taps : weight + (b * Channels + a) * Taps;
                long wStride = up ? Taps : Channels * Taps;
                float* t = taps + a * Channels + b;
                if (toTaps) Transpose16x16.Apply(w, wStride, t, TapStride);
                else Transpose16x16.Apply(t, TapStride, w, wStride);
            }
    }

    /// <summary>
    /// small[n, i, j] = bias + Σ over taps of large[n, 2i + u − 1, 2j + v − 1] · taps[u, v], optionally
    /// relu'd, for the output pixels part·P/parts … of the P = (S/2)² in every image.
    /// </summary>
    public static void Down(float* large, int images, int side, float* taps, float* bias, bool relu, float* small, int part, int parts)
    {
        int half = side / 2, positions = half * half;
        int* tapIds = stackalloc int[Taps];
        int* offsets = stackalloc int[Taps];
        for (int pos = positions * part / parts; pos < positions * (part + 1) / parts; pos++)
        {
            int i = pos / half, j = pos % half, count = 0;
            for (int u = 0; u < Kernel; u++)
            {
                int p = 2 * i + u - 1;
                if (p < 0 || p >= side) continue;
                for (int v = 0; v < Kernel; v++)
                {
                    int q = 2 * j + v - 1;
                    if (q < 0 || q >= side) continue;
                    tapIds[count] = u * Kernel + v;
                    offsets[count++] = (p * side + q) * Channels;
                }
            }
            Pixels(large, side * side, taps, tapIds, offsets, count, bias, relu, small + pos * Channels, positions, images);
        }
    }

    /// <summary>
    /// large[n, p, q] = bias + Σ over the taps with p = 2i + u − 1, q = 2j + v − 1 of small[n, i, j] · taps[u, v],
    /// optionally relu'd, for the output pixels part·P/parts … of the P = (2s)² in every image (s = <paramref name="side"/>).
    /// </summary>
    public static void Up(float* small, int images, int side, float* taps, float* bias, bool relu, float* large, int part, int parts)
    {
        int twice = 2 * side, positions = twice * twice;
        int* tapIds = stackalloc int[Taps];
        int* offsets = stackalloc int[Taps];
        for (int pos = positions * part / parts; pos < positions * (part + 1) / parts; pos++)
        {
            int p = pos / twice, q = pos % twice, count = 0;
            for (int u = 0; u < Kernel; u++)
            {
                if (((p + 1 - u) & 1) != 0) continue; // only every other kernel row reaches an output row
                int i = (p + 1 - u) >> 1;
                if (i < 0 || i >= side) continue;
                for (int v = 0; v < Kernel; v++)
                {
                    if (((q + 1 - v) & 1) != 0) continue;
                    int j = (q + 1 - v) >> 1;
                    if (j < 0 || j >= side) continue;
                    tapIds[count] = u * Kernel + v;
                    offsets[count++] = (i * side + j) * Channels;
                }
            }
            Pixels(small, side * side, taps, tapIds, offsets, count, bias, relu, large + pos * Channels, positions, images);
        }
    }

    /// <summary>One output position in every image, four images at a time (the last group padded with image 0's input and a scratch output).</summary>
    static void Pixels(float* source, int sourcePlane, float* taps, int* tapIds, int* offsets, int count, float* bias, bool relu, float* target, int targetPlane, int images)
    {
        float* scratch = stackalloc float[Channels];
        long sourceImage = (long)sourcePlane * Channels, targetImage = (long)targetPlane * Channels;
        for (int n = 0; n < images; n += Images)
        {
            int real = Math.Min(Images, images - n);
            float* s0 = source + n * sourceImage;
            float* s1 = real > 1 ? s0 + sourceImage : s0, s2 = real > 2 ? s0 + 2 * sourceImage : s0, s3 = real > 3 ? s0 + 3 * sourceImage : s0;
            float* t0 = target + n * targetImage;
            float* t1 = real > 1 ? t0 + targetImage : scratch, t2 = real > 2 ? t0 + 2 * targetImage : scratch, t3 = real > 3 ? t0 + 3 * targetImage : scratch;
            Block(taps, tapIds, offsets, count, s0, s1, s2, s3, bias, relu, t0, t1, t2, t3);
        }
    }

    /// <summary>64 outputs of four pixels in 16 registers: each tap's 64 × 64 weights stream once for the four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block(float* taps, int* tapIds, int* offsets, int count, float* s0, float* s1, float* s2, float* s3,
        float* bias, bool relu, float* t0, float* t1, float* t2, float* t3)
    {
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        if (bias != null) { b0 = Vector512.Load(bias); b1 = Vector512.Load(bias + Lanes); b2 = Vector512.Load(bias + 2 * Lanes); b3 = Vector512.Load(bias + 3 * Lanes); }
        Vector512<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        Vector512<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        for (int t = 0; t < count; t++)
        {
            float* w = taps + (long)tapIds[t] * TapStride;
            int at = offsets[t];
            float* x0 = s0 + at, x1 = s1 + at, x2 = s2 + at, x3 = s3 + at;
            for (int c = 0; c < Channels; c++, w += Channels)
            {
                var w0 = Vector512.Load(w); var w1 = Vector512.Load(w + Lanes);
                var w2 = Vector512.Load(w + 2 * Lanes); var w3 = Vector512.Load(w + 3 * Lanes);
                var v0 = Vector512.Create(x0[c]); var v1 = Vector512.Create(x1[c]);
                var v2 = Vector512.Create(x2[c]); var v3 = Vector512.Create(x3[c]);
                a00 = Vector512.FusedMultiplyAdd(v0, w0, a00); a01 = Vector512.FusedMultiplyAdd(v0, w1, a01);
                a02 = Vector512.FusedMultiplyAdd(v0, w2, a02); a03 = Vector512.FusedMultiplyAdd(v0, w3, a03);
                a10 = Vector512.FusedMultiplyAdd(v1, w0, a10); a11 = Vector512.FusedMultiplyAdd(v1, w1, a11);
                a12 = Vector512.FusedMultiplyAdd(v1, w2, a12); a13 = Vector512.FusedMultiplyAdd(v1, w3, a13);
                a20 = Vector512.FusedMultiplyAdd(v2, w0, a20); a21 = Vector512.FusedMultiplyAdd(v2, w1, a21);
                a22 = Vector512.FusedMultiplyAdd(v2, w2, a22); a23 = Vector512.FusedMultiplyAdd(v2, w3, a23);
                a30 = Vector512.FusedMultiplyAdd(v3, w0, a30); a31 = Vector512.FusedMultiplyAdd(v3, w1, a31);
                a32 = Vector512.FusedMultiplyAdd(v3, w2, a32); a33 = Vector512.FusedMultiplyAdd(v3, w3, a33);
            }
        }
        Store(t0, a00, a01, a02, a03, relu);
        Store(t1, a10, a11, a12, a13, relu);
        Store(t2, a20, a21, a22, a23, relu);
        Store(t3, a30, a31, a32, a33, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* target, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, bool relu)
    {
        if (relu)
        {
            (a0, a1) = (Vector512.Max(a0, Vector512<float>.Zero), Vector512.Max(a1, Vector512<float>.Zero));
            (a2, a3) = (Vector512.Max(a2, Vector512<float>.Zero), Vector512.Max(a3, Vector512<float>.Zero));
        }
        a0.Store(target); a1.Store(target + Lanes); a2.Store(target + 2 * Lanes); a3.Store(target + 3 * Lanes);
    }

    /// <summary>
    /// gradient[u, v][a, b] = Σ over images and small pixels (i, j) of large[n, 2i + u − 1, 2j + v − 1, a] · small[n, i, j, b],
    /// for the taps part·16/parts …; each tap is written whole, its sum in a fixed order.
    /// </summary>
    public static void WeightGradient(float* large, float* small, int images, int side, float* gradient, int part, int parts)
    {
        int half = side / 2;
        var pairs = new int[2 * images * half * half]; // (large offset, small offset) of each pixel the tap reaches
        fixed (int* pair = pairs)
            for (int tap = Taps * part / parts; tap < Taps * (part + 1) / parts; tap++)
            {
                int u = tap / Kernel, v = tap % Kernel, count = 0;
                for (int n = 0; n < images; n++)
                    for (int i = 0; i < half; i++)
                    {
                        int p = 2 * i + u - 1;
                        if (p < 0 || p >= side) continue;
                        for (int j = 0; j < half; j++)
                        {
                            int q = 2 * j + v - 1;
                            if (q < 0 || q >= side) continue;
                            pair[2 * count] = ((n * side + p) * side + q) * Channels;
                            pair[2 * count++ + 1] = ((n * half + i) * half + j) * Channels;
                        }
                    }
                float* g = gradient + (long)tap * TapStride;
                for (int a = 0; a < Channels; a += 4)
                    WeightGradientRows(large + a, small, pair, count, g + a * Channels);
            }
    }

    /// <summary>Four large channels against all 64 small ones, in 16 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void WeightGradientRows(float* large, float* small, int* pair, int count, float* target)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        for (int k = 0; k < count; k++)
        {
            float* x = large + pair[2 * k];
            float* d = small + pair[2 * k + 1];
            var d0 = Vector512.Load(d); var d1 = Vector512.Load(d + Lanes);
            var d2 = Vector512.Load(d + 2 * Lanes); var d3 = Vector512.Load(d + 3 * Lanes);
            var x0 = Vector512.Create(x[0]); var x1 = Vector512.Create(x[1]);
            var x2 = Vector512.Create(x[2]); var x3 = Vector512.Create(x[3]);
            a00 = Vector512.FusedMultiplyAdd(x0, d0, a00); a01 = Vector512.FusedMultiplyAdd(x0, d1, a01);
            a02 = Vector512.FusedMultiplyAdd(x0, d2, a02); a03 = Vector512.FusedMultiplyAdd(x0, d3, a03);
            a10 = Vector512.FusedMultiplyAdd(x1, d0, a10); a11 = Vector512.FusedMultiplyAdd(x1, d1, a11);
            a12 = Vector512.FusedMultiplyAdd(x1, d2, a12); a13 = Vector512.FusedMultiplyAdd(x1, d3, a13);
            a20 = Vector512.FusedMultiplyAdd(x2, d0, a20); a21 = Vector512.FusedMultiplyAdd(x2, d1, a21);
            a22 = Vector512.FusedMultiplyAdd(x2, d2, a22); a23 = Vector512.FusedMultiplyAdd(x2, d3, a23);
            a30 = Vector512.FusedMultiplyAdd(x3, d0, a30); a31 = Vector512.FusedMultiplyAdd(x3, d1, a31);
            a32 = Vector512.FusedMultiplyAdd(x3, d2, a32); a33 = Vector512.FusedMultiplyAdd(x3, d3, a33);
        }
        Store(target, a00, a01, a02, a03, relu: false);
        Store(target + Channels, a10, a11, a12, a13, relu: false);
        Store(target + 2 * Channels, a20, a21, a22, a23, relu: false);
        Store(target + 3 * Channels, a30, a31, a32, a33, relu: false);
    }

    /// <summary>
    /// gradient = upstream where the relu's output is positive, else 0; adds its per-channel sum (the bias
    /// gradient) to <paramref name="biasGradient"/>, summed 64 pixels at a time and then the partial sums,
    /// which keeps the rounding error of a long sum near that of a short one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(float* upstream, float* output, float* gradient, long pixels, float* biasGradient)
    {
        const int Chunk = 64;
        Vector512<float> t0 = default, t1 = default, t2 = default, t3 = default;
        for (long start = 0; start < pixels; start += Chunk)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (long k = start * Channels; k < Math.Min(pixels, start + Chunk) * Channels; k += Channels)
            {
                s0 += Masked(upstream + k, output + k, gradient + k);
                s1 += Masked(upstream + k + Lanes, output + k + Lanes, gradient + k + Lanes);
                s2 += Masked(upstream + k + 2 * Lanes, output + k + 2 * Lanes, gradient + k + 2 * Lanes);
                s3 += Masked(upstream + k + 3 * Lanes, output + k + 3 * Lanes, gradient + k + 3 * Lanes);
            }
            (t0, t1, t2, t3) = (t0 + s0, t1 + s1, t2 + s2, t3 + s3);
        }
        Block64.Add(biasGradient, t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Masked(float* upstream, float* output, float* gradient)
    {
        var g = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(output), Vector512<float>.Zero), Vector512.Load(upstream), Vector512<float>.Zero);
        g.Store(gradient);
        return g;
    }
}
