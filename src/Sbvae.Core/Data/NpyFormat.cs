using System.Buffers.Binary;
using System.Text;

namespace Sbvae.Data;

/// <summary>
/// Reads and writes one .npy stream (format versions 1.0–3.0). Problems are reported as
/// <see cref="InvalidDataException"/> with a short message; callers add the file name.
/// </summary>
internal static class NpyFormat
{
    /// <param name="length">Total stream length if known (zip entries know it), to catch size mismatches early.</param>
    public static NpyArray Read(Stream stream, long? length)
    {
        var (dtype, shape, need) = ReadHeader(stream, length);
        string descr = dtype.Descr;
        if (need > Array.MaxLength)
            throw new InvalidDataException(
                $"shape {ShapeText(shape)} of {descr} is {need:N0} bytes, more than one in-memory array can hold (2 GB)");
        var data = new byte[need];
        ReadExactly(stream, data, "data");
        if (length is null && stream.ReadByte() != -1)
            throw new InvalidDataException($"data is longer than shape {ShapeText(shape)} of {descr} needs ({need} bytes)");
        if (dtype.BigEndian)
            dtype.SwapToLittleEndian(data);
        return new NpyArray(dtype.Descr, shape, data);
    }

    /// <summary>
    /// Reads the header and leaves the stream at the first data byte, so arrays larger than one
    /// in-memory array can be consumed piece by piece. Returns the data size in bytes.
    /// </summary>
    public static (NpyDType DType, int[] Shape, long DataBytes) ReadHeader(Stream stream, long? length)
    {
        Span<byte> pre = stackalloc byte[10];
        ReadExactly(stream, pre, "header");
        if (!pre[..6].SequenceEqual(NpyHeader.Magic))
            throw new InvalidDataException("not a .npy array (bad magic bytes)");
        int major = pre[6];
        if (major is < 1 or > 3)
            throw new InvalidDataException($"unsupported .npy format version {major}.{pre[7]}");
        int prefix = 10;
        long hlen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
        if (major >= 2)
        {
            Span<byte> more = stackalloc byte[2];
            ReadExactly(stream, more, "header");
            hlen = BinaryPrimitives.ReadUInt32LittleEndian([pre[8], pre[9], more[0], more[1]]);
            prefix = 12;
        }
        if (hlen > 1 << 20)
            throw new InvalidDataException($"bad .npy header (claims {hlen} bytes)");
        var headerBytes = new byte[hlen];
        ReadExactly(stream, headerBytes, "header");
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = NpyHeader.Parse(text);
        if (fortran)
            throw new InvalidDataException("fortran_order=True arrays are not supported (save a C-order array)");
        var dtype = NpyDType.Parse(descr);

        long count = 1;
        foreach (int d in shape) count = checked(count * d);
        long need = count * dtype.ElementBytes;
        if (length is long total && total - prefix - hlen != need)
            throw new InvalidDataException(
                $"data has {total - prefix - hlen} bytes but shape {ShapeText(shape)} of {descr} needs {need}");
        return (dtype, shape, need);
    }

    public static void Write(Stream stream, NpyArray array)
    {
        stream.Write(NpyHeader.Format(array.DType, array.Shape));
        stream.Write(array.Data);
    }

    public static string ShapeText(int[] shape) => "(" + string.Join(", ", shape) + ")";

    public static void ReadExactly(Stream s, Span<byte> buffer, string part)
    {
        int got = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length)
            throw new InvalidDataException($"truncated .npy {part} (expected {buffer.Length} bytes, found {got})");
    }
}
