using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sbvae.Kernels;

/// <summary>bfloat16 ↔ float32 on 16-lane vectors: bf16 is the top half of an fp32, rounded to nearest even.</summary>
internal static class Bf16
{
    /// <summary>16 bf16 values to a 16-lane fp32 vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Widen16(Vector256<ushort> v) =>
        Vector512.ShiftLeft(Avx512F.IsSupported ? Avx512F.ConvertToVector512UInt32(v) : Vector512.Create(Vector256.WidenLower(v), Vector256.WidenUpper(v)), 16).AsSingle();

    /// <summary>relu of 16 bf16 values, as fp32: the output-layer kernels apply the relu before them as they load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> WidenRelu16(Vector256<ushort> v) => Vector512.Max(Widen16(v), Vector512<float>.Zero);

    /// <summary>A 16-lane fp32 vector to bf16, rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ushort> Narrow16(Vector512<float> v)
    {
        var bits = v.AsUInt32();
        var top = Vector512.ShiftRightLogical(bits + Vector512.Create(0x7FFFu) + (Vector512.ShiftRightLogical(bits, 16) & Vector512.Create(1u)), 16);
        return Avx512F.IsSupported ? Avx512F.ConvertToVector256UInt16(top) : Vector256.Narrow(top.GetLower(), top.GetUpper());
    }

    public static float ToSingle(ushort b) => BitConverter.Int32BitsToSingle(b << 16);
}
