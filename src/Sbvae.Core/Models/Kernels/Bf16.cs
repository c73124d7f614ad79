using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sbvae.Models.Kernels;

/// <summary>bfloat16 ↔ float32 on 8-lane vectors: bf16 is the top half of an fp32, rounded to nearest even.</summary>
internal static class Bf16
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Widen(Vector128<ushort> v) =>
        Vector256.ShiftLeft(Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v)), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ushort> Narrow(Vector256<float> v)
    {
        var bits = v.AsUInt32();
        var rounded = bits + Vector256.Create(0x7FFFu) + (Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(1u));
        var top = Vector256.ShiftRightLogical(rounded, 16);
        return Vector128.Narrow(top.GetLower(), top.GetUpper());
    }

    public static float ToSingle(ushort b) => BitConverter.Int32BitsToSingle(b << 16);
}
