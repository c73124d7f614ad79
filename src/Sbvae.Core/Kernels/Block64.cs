using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sbvae.Kernels;

/// <summary>
/// 64 channels as four 16-lane fp32 vectors: the register block the output-layer kernels
/// (<see cref="OutputConv"/>, <see cref="OutputDeconv"/>) accumulate in, and its ways to memory.
/// </summary>
internal static class Block64
{
    public const int Lanes = 16, Channels = 4 * Lanes;

    /// <summary>Rounded to bf16 (nearest even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(ushort* target, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        Bf16.Narrow16(a0).Store(target);
        Bf16.Narrow16(a1).Store(target + Lanes);
        Bf16.Narrow16(a2).Store(target + 2 * Lanes);
        Bf16.Narrow16(a3).Store(target + 3 * Lanes);
    }

    /// <summary>Rounded to bf16, zero where the bf16 <paramref name="mask"/> is not positive (a relu's backward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreWherePositive(ushort* target, ushort* mask, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        Store(target, Positive(mask, a0), Positive(mask + Lanes, a1), Positive(mask + 2 * Lanes, a2), Positive(mask + 3 * Lanes, a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe Vector512<float> Positive(ushort* mask, Vector512<float> a) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(Bf16.Widen16(Vector256.Load(mask)), Vector512<float>.Zero), a, Vector512<float>.Zero);

    /// <summary>The block as fp32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(float* target, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        a0.Store(target);
        a1.Store(target + Lanes);
        a2.Store(target + 2 * Lanes);
        a3.Store(target + 3 * Lanes);
    }

    /// <summary>target += the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Add(float* target, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        (Vector512.Load(target) + a0).Store(target);
        (Vector512.Load(target + Lanes) + a1).Store(target + Lanes);
        (Vector512.Load(target + 2 * Lanes) + a2).Store(target + 2 * Lanes);
        (Vector512.Load(target + 3 * Lanes) + a3).Store(target + 3 * Lanes);
    }
}
