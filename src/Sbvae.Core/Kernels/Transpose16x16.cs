using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sbvae.Kernels;

/// <summary>A 16 × 16 block of fp32 transposed in 16-lane registers (AVX-512): 64 two-source permutes instead of 256 scattered stores.</summary>
internal static unsafe class Transpose16x16
{
    /// <summary>Butterfly stage b swaps the off-diagonal b × b blocks of each 2b × 2b block: two two-source permutes per row pair.</summary>
    static readonly Vector512<int> Low8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), High8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    static readonly Vector512<int> Low4 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27), High4 = Vector512.Create(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
    static readonly Vector512<int> Low2 = Vector512.Create(0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29), High2 = Vector512.Create(2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
    static readonly Vector512<int> Low1 = Vector512.Create(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30), High1 = Vector512.Create(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);

    /// <summary>target row t, element k = source row k, element t (rows a stride apart, in floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* source, long sourceStride, float* target, long targetStride)
    {
        var r0 = Vector512.Load(source + 0 * sourceStride);
        var r1 = Vector512.Load(source + 1 * sourceStride);
        var r2 = Vector512.Load(source + 2 * sourceStride);
        var r3 = Vector512.Load(source + 3 * sourceStride);
        var r4 = Vector512.Load(source + 4 * sourceStride);
        var r5 = Vector512.Load(source + 5 * sourceStride);
        var r6 = Vector512.Load(source + 6 * sourceStride);
        var r7 = Vector512.Load(source + 7 * sourceStride);
        var r8 = Vector512.Load(source + 8 * sourceStride);
        var r9 = Vector512.Load(source + 9 * sourceStride);
        var r10 = Vector512.Load(source + 10 * sourceStride);
        var r11 = Vector512.Load(source + 11 * sourceStride);
        var r12 = Vector512.Load(source + 12 * sourceStride);
        var r13 = Vector512.Load(source + 13 * sourceStride);
        var r14 = Vector512.Load(source + 14 * sourceStride);
        var r15 = Vector512.Load(source + 15 * sourceStride);
        (r0, r8) = (Avx512F.PermuteVar16x32x2(r0, Low8, r8), Avx512F.PermuteVar16x32x2(r0, High8, r8));
        (r1, r9) = (Avx512F.PermuteVar16x32x2(r1, Low8, r9), Avx512F.PermuteVar16x32x2(r1, High8, r9));
        (r2, r10) = (Avx512F.PermuteVar16x32x2(r2, Low8, r10), Avx512F.PermuteVar16x32x2(r2, High8, r10));
        (r3, r11) = (Avx512F.PermuteVar16x32x2(r3, Low8, r11), Avx512F.PermuteVar16x32x2(r3, High8, r11));
        (r4, r12) = (Avx512F.PermuteVar16x32x2(r4, Low8, r12), Avx512F.PermuteVar16x32x2(r4, High8, r12));
        (r5, r13) = (Avx512F.PermuteVar16x32x2(r5, Low8, r13), Avx512F.PermuteVar16x32x2(r5, High8, r13));
        (r6, r14) = (Avx512F.PermuteVar16x32x2(r6, Low8, r14), Avx512F.PermuteVar16x32x2(r6, High8, r14));
        (r7, r15) = (Avx512F.PermuteVar16x32x2(r7, Low8, r15), Avx512F.PermuteVar16x32x2(r7, High8, r15));
        (r0, r4) = (Avx512F.PermuteVar16x32x2(r0, Low4, r4), Avx512F.PermuteVar16x32x2(r0, High4, r4));
        (r1, r5) = (Avx512F.PermuteVar16x32x2(r1, Low4, r5), Avx512F.PermuteVar16x32x2(r1, High4, r5));
        (r2, r6) = (Avx512F.PermuteVar16x32x2(r2, Low4, r6), Avx512F.PermuteVar16x32x2(r2, High4, r6));
        (r3, r7) = (Avx512F.PermuteVar16x32x2(r3, Low4, r7), Avx512F.PermuteVar16x32x2(r3, High4, r7));
        (r8, r12) = (Avx512F.PermuteVar16x32x2(r8, Low4, r12), Avx512F.PermuteVar16x32x2(r8, High4, r12));
        (r9, r13) = (Avx512F.PermuteVar16x32x2(r9, Low4, r13), Avx512F.PermuteVar16x32x2(r9, High4, r13));
        (r10, r14) = (Avx512F.PermuteVar16x32x2(r10, Low4, r14), Avx512F.PermuteVar16x32x2(r10, High4, r14));
        (r11, r15) = (Avx512F.PermuteVar16x32x2(r11, Low4, r15), Avx512F.PermuteVar16x32x2(r11, High4, r15));
        (r0, r2) = (Avx512F.PermuteVar16x32x2(r0, Low2, r2), Avx512F.PermuteVar16x32x2(r0, High2, r2));
        (r1, r3) = (Avx512F.PermuteVar16x32x2(r1, Low2, r3), Avx512F.PermuteVar16x32x2(r1, High2, r3));
        (r4, r6) = (Avx512F.PermuteVar16x32x2(r4, Low2, r6), Avx512F.PermuteVar16x32x2(r4, High2, r6));
        (r5, r7) = (Avx512F.PermuteVar16x32x2(r5, Low2, r7), Avx512F.PermuteVar16x32x2(r5, High2, r7));
        (r8, r10) = (Avx512F.PermuteVar16x32x2(r8, Low2, r10), Avx512F.PermuteVar16x32x2(r8, High2, r10));
        (r9, r11) = (Avx512F.PermuteVar16x32x2(r9, Low2, r11), Avx512F.PermuteVar16x32x2(r9, High2, r11));
        (r12, r14) = (Avx512F.PermuteVar16x32x2(r12, Low2, r14), Avx512F.PermuteVar16x32x2(r12, High2, r14));
        (r13, r15) = (Avx512F.PermuteVar16x32x2(r13, Low2, r15), Avx512F.PermuteVar16x32x2(r13, High2, r15));
        (r0, r1) = (Avx512F.PermuteVar16x32x2(r0, Low1, r1), Avx512F.PermuteVar16x32x2(r0, High1, r1));
        (r2, r3) = (Avx512F.PermuteVar16x32x2(r2, Low1, r3), Avx512F.PermuteVar16x32x2(r2, High1, r3));
        (r4, r5) = (Avx512F.PermuteVar16x32x2(r4, Low1, r5), Avx512F.PermuteVar16x32x2(r4, High1, r5));
        (r6, r7) = (Avx512F.PermuteVar16x32x2(r6, Low1, r7), Avx512F.PermuteVar16x32x2(r6, High1, r7));
        (r8, r9) = (Avx512F.PermuteVar16x32x2(r8, Low1, r9), Avx512F.PermuteVar16x32x2(r8, High1, r9));
        (r10, r11) = (Avx512F.PermuteVar16x32x2(r10, Low1, r11), Avx512F.PermuteVar16x32x2(r10, High1, r11));
        (r12, r13) = (Avx512F.PermuteVar16x32x2(r12, Low1, r13), Avx512F.PermuteVar16x32x2(r12, High1, r13));
        (r14, r15) = (Avx512F.PermuteVar16x32x2(r14, Low1, r15), Avx512F.PermuteVar16x32x2(r14, High1, r15));
        r0.Store(target + 0 * targetStride);
        r1.Store(target + 1 * targetStride);
        r2.Store(target + 2 * targetStride);
        r3.Store(target + 3 * targetStride);
        r4.Store(target + 4 * targetStride);
        r5.Store(target + 5 * targetStride);
        r6.Store(target + 6 * targetStride);
        r7.Store(target + 7 * targetStride);
        r8.Store(target + 8 * targetStride);
        r9.Store(target + 9 * targetStride);
        r10.Store(target + 10 * targetStride);
        r11.Store(target + 11 * targetStride);
        r12.Store(target + 12 * targetStride);
        r13.Store(target + 13 * targetStride);
        r14.Store(target + 14 * targetStride);
        r15.Store(target + 15 * targetStride);
    }
}
