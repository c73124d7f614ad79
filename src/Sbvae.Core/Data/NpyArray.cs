using System.Buffers.Binary;
using System.Text;

namespace Sbvae.Data;

/// <summary>
/// One numpy array held as raw little-endian, C-order bytes plus its numpy type
/// descriptor and shape. Typed views convert between numeric types where no value is lost.
/// </summary>
public sealed class NpyArray
{
    readonly NpyDType type;

    public string DType { get; }
    public int[] Shape { get; }
    public byte[] Data { get; }

    /// <summary>Number of elements (product of the shape; 1 for a 0-d array).</summary>
    public long Count { get; }

    /// <param name="dtype">numpy descriptor; byte order '&lt;', '|' or '='. Big-endian data is not accepted here.</param>
    public NpyArray(string dtype, int[] shape, byte[] data)
    {
        NpyDType t;
        try { t = NpyDType.Parse(dtype); }
        catch (InvalidDataException e) { throw new SbvaeException(e.Message); }
        if (t.BigEndian)
            throw new SbvaeException($"dtype '{dtype}' is big-endian; NpyArray holds little-endian data");
        if (shape.Any(d => d < 0))
            throw new SbvaeException($"negative dimension in shape {NpyFormat.ShapeText(shape)}");
        long count = 1;
        foreach (int d in shape) count = checked(count * d);
        if (data.LongLength != count * t.ElementBytes)
            throw new SbvaeException(
                $"{data.LongLength} bytes do not fit shape {NpyFormat.ShapeText(shape)} of {dtype} ({count * t.ElementBytes} bytes)");
        type = t;
        DType = t.Descr;
        Shape = (int[])shape.Clone();
        Data = data;
        Count = count;
    }

    public static NpyArray FromBytes(byte[] data, int[]? shape = null) => new("|u1", shape ?? [data.Length], data);

    public static NpyArray FromBools(bool[] values, int[]? shape = null) =>
        new("|b1", shape ?? [values.Length], values.Select(v => v ? (byte)1 : (byte)0).ToArray());

    public static NpyArray FromFloats(float[] values, int[]? shape = null) =>
        From(values, shape, "<f4", 4, (s, v) => BinaryPrimitives.WriteSingleLittleEndian(s, v));

    public static NpyArray FromDoubles(double[] values, int[]? shape = null) =>
        From(values, shape, "<f8", 8, (s, v) => BinaryPrimitives.WriteDoubleLittleEndian(s, v));

    public static NpyArray FromInt32s(int[] values, int[]? shape = null) =>
        From(values, shape, "<i4", 4, (s, v) => BinaryPrimitives.WriteInt32LittleEndian(s, v));

    public static NpyArray FromInt64s(long[] values, int[]? shape = null) =>
        From(values, shape, "<i8", 8, (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, v));

    /// <summary>A 1-D numpy unicode array ('&lt;U{longest}', UTF-32LE, NUL-padded), as np.array(list_of_str) makes.</summary>
    public static NpyArray FromStrings(string[] values)
    {
        int[][] runes = values.Select(v => v.EnumerateRunes().Select(r => r.Value).ToArray()).ToArray();
        int width = Math.Max(1, runes.Length == 0 ? 1 : runes.Max(r => r.Length));
        var data = new byte[(long)values.Length * width * 4];
        for (int i = 0; i < runes.Length; i++)
            for (int j = 0; j < runes[i].Length; j++)
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan((i * width + j) * 4), runes[i][j]);
        return new NpyArray($"<U{width}", [values.Length], data);
    }

    public double[] ToDoubles()
    {
        RequireNumeric("double");
        var r = new double[Count];
        for (int i = 0; i < r.Length; i++) r[i] = AsDouble(i);
        return r;
    }

    public float[] ToFloats()
    {
        RequireNumeric("float");
        var r = new float[Count];
        for (int i = 0; i < r.Length; i++) r[i] = (float)AsDouble(i);
        return r;
    }

    /// <summary>Integers of any width; floats only when every value is a whole number in range.</summary>
    public long[] ToInt64s()
    {
        RequireNumeric("int64");
        var r = new long[Count];
        for (int i = 0; i < r.Length; i++) r[i] = AsInt64(i, long.MinValue, long.MaxValue, "int64");
        return r;
    }

    /// <summary>Values as uint8; fails if any value is not a whole number in 0..255.</summary>
    public byte[] ToBytes()
    {
        RequireNumeric("uint8");
        if (type.Kind is 'u' or 'b' && type.ItemSize == 1)
            return (byte[])Data.Clone();
        var r = new byte[Count];
        for (int i = 0; i < r.Length; i++) r[i] = (byte)AsInt64(i, 0, 255, "uint8");
        return r;
    }

    /// <summary>Elements of a unicode ('U') or byte-string ('S') array, trailing NULs removed.</summary>
    public string[] ToStrings()
    {
        if (type.Kind is not ('U' or 'S'))
            throw new SbvaeException($"cannot read a {DType} array as strings");
        int stride = type.ElementBytes;
        var r = new string[Count];
        for (int i = 0; i < r.Length; i++)
        {
            var cell = Data.AsSpan(i * stride, stride);
            if (type.Kind == 'S')
            {
                int n = cell.IndexOf((byte)0);
                r[i] = Encoding.Latin1.GetString(n < 0 ? cell : cell[..n]);
                continue;
            }
            var sb = new StringBuilder();
            for (int j = 0; j < type.ItemSize; j++)
            {
                int cp = BinaryPrimitives.ReadInt32LittleEndian(cell[(j * 4)..]);
                if (cp == 0) break;
                if (!Rune.IsValid(cp))
                    throw new SbvaeException($"invalid character code {cp} in a {DType} array");
                sb.Append(new Rune(cp).ToString());
            }
            r[i] = sb.ToString();
        }
        return r;
    }

    double AsDouble(int i)
    {
        var s = Data.AsSpan(i * type.ItemSize);
        return (type.Kind, type.ItemSize) switch
        {
            ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(s),
            ('f', 4) => BinaryPrimitives.ReadSingleLittleEndian(s),
            ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(s),
            ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(s),
            _ => ReadInteger(s),
        };
    }

    long AsInt64(int i, long min, long max, string target)
    {
        var s = Data.AsSpan(i * type.ItemSize);
        long v;
        if (type.Kind == 'f')
        {
            double d = AsDouble(i);
            if (!(d >= min && d <= max) || Math.Floor(d) != d)
                throw new SbvaeException($"value {d} of a {DType} array is not a whole number that fits {target}");
            v = (long)d;
        }
        else if (type.Kind == 'u' && type.ItemSize == 8)
        {
            ulong u = BinaryPrimitives.ReadUInt64LittleEndian(s);
            if (u > (ulong)max)
                throw new SbvaeException($"value {u} of a {DType} array does not fit {target}");
            v = (long)u;
        }
        else
            v = ReadInteger(s);
        if (v < min || v > max)
            throw new SbvaeException($"value {v} of a {DType} array does not fit {target}");
        return v;
    }

    /// <summary>Signed/unsigned integers up to 8 bytes and bools (every integer kind except uint64).</summary>
    long ReadInteger(ReadOnlySpan<byte> s) => (type.Kind, type.ItemSize) switch
    {
        ('b', 1) or ('u', 1) => s[0],
        ('i', 1) => (sbyte)s[0],
        ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(s),
        ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(s),
        ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(s),
        ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(s),
        ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(s),
        _ => throw new InvalidOperationException($"not an integer dtype: {DType}"),
    };

    void RequireNumeric(string target)
    {
        if (!type.IsNumeric)
            throw new SbvaeException($"cannot convert a {DType} array to {target}");
    }

    static NpyArray From<T>(T[] values, int[]? shape, string dtype, int size, SpanWriter<T> write)
    {
        var data = new byte[(long)values.Length * size];
        for (int i = 0; i < values.Length; i++) write(data.AsSpan(i * size, size), values[i]);
        return new NpyArray(dtype, shape ?? [values.Length], data);
    }

    delegate void SpanWriter<T>(Span<byte> destination, T value);
}
