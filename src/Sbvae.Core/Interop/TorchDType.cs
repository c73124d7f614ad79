using System.Buffers.Binary;

namespace Sbvae.Interop;

/// <summary>Element types of PyTorch storages, with their torch.*Storage and safetensors names.</summary>
public sealed record TorchDType(string StorageName, string SafeTensorsName, int Size)
{
    public static readonly TorchDType Float32 = new("FloatStorage", "F32", 4);
    public static readonly TorchDType Float64 = new("DoubleStorage", "F64", 8);
    public static readonly TorchDType Float16 = new("HalfStorage", "F16", 2);
    public static readonly TorchDType BFloat16 = new("BFloat16Storage", "BF16", 2);
    public static readonly TorchDType Int64 = new("LongStorage", "I64", 8);
    public static readonly TorchDType Int32 = new("IntStorage", "I32", 4);
    public static readonly TorchDType Int16 = new("ShortStorage", "I16", 2);
    public static readonly TorchDType Int8 = new("CharStorage", "I8", 1);
    public static readonly TorchDType UInt8 = new("ByteStorage", "U8", 1);
    public static readonly TorchDType Bool = new("BoolStorage", "BOOL", 1);

    public static readonly IReadOnlyList<TorchDType> All = [Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool];

    public static TorchDType? FromStorageName(string name) =>
        name is "UntypedStorage" ? UInt8 : All.FirstOrDefault(d => d.StorageName == name);

    public static TorchDType? FromSafeTensorsName(string name) => All.FirstOrDefault(d => d.SafeTensorsName == name);

    /// <summary>Every element of <paramref name="bytes"/> as float32 (the precision the models run in).</summary>
    public float[] ToFloats(ReadOnlySpan<byte> bytes, bool bigEndian = false)
    {
        int n = bytes.Length / Size;
        var result = new float[n];
        if (this == Float32 && !bigEndian)
        {
            bytes[..(n * 4)].CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
            return result;
        }
        for (int i = 0; i < n; i++)
        {
            var e = bytes.Slice(i * Size, Size);
            result[i] = this switch
            {
                _ when this == Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e),
                _ when this == Float64 => (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e)),
                _ when this == Float16 => (float)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(e) : BinaryPrimitives.ReadHalfLittleEndian(e)),
                _ when this == BFloat16 => BitConverter.Int32BitsToSingle((bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e)) << 16),
                _ when this == Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e),
                _ when this == Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e),
                _ when this == Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e),
                _ when this == Int8 => (sbyte)e[0],
                _ => e[0],
            };
        }
        return result;
    }

    public override string ToString() => SafeTensorsName;
}
