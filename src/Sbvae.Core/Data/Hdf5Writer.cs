using System.Buffers.Binary;
using System.Text;

namespace Sbvae.Data;

/// <summary>An array of an HDF5 file <see cref="Hdf5Writer"/> writes: uint8 or little-endian float64, C order.</summary>
public sealed record Hdf5Array(string Name, bool Float64, long[] Dims)
{
    public long Bytes => Dims.Aggregate(Float64 ? 8L : 1L, (n, d) => n * d);
}

/// <summary>
/// Writes the simplest valid HDF5 file holding a few arrays in the root group, streamed: a version-2
/// superblock, version-2 object headers (compact links, no attributes) and each array contiguous, its
/// bytes written by the caller in order. PureHDF's own writer holds every hyperslab element by element
/// (minutes for a few hundred MB), far too slow for the 5.9 GB of 3D Shapes.
/// </summary>
public static class Hdf5Writer
{
    const ulong Undefined = ulong.MaxValue;
    const int Superblock = 48;
    /// <summary>Array data starts on a page boundary.</summary>
    const int Align = 4096;

    /// <summary>Writes the headers, then calls <paramref name="data"/> once per array, in order, to write its bytes.</summary>
    public static void Write(Stream s, IReadOnlyList<Hdf5Array> arrays, Action<int, Stream> data)
    {
        long start = s.Position;
        // Header sizes do not depend on the addresses they hold: size them once with zeros.
        int root = RootGroup(arrays.Select(_ => 0UL).ToArray(), arrays).Length;
        var headerAt = new ulong[arrays.Count];
        ulong at = Superblock + (ulong)root;
        for (int i = 0; i < arrays.Count; i++)
        {
            headerAt[i] = at;
            at += (ulong)DatasetHeader(arrays[i], 0).Length;
        }
        var dataAt = new ulong[arrays.Count];
        at = (at + Align - 1) / Align * Align;
        for (int i = 0; i < arrays.Count; i++)
        {
            dataAt[i] = at;
            at += (ulong)arrays[i].Bytes;
        }
        s.Write(SuperblockBytes(Superblock, at));
        s.Write(RootGroup(headerAt, arrays));
        for (int i = 0; i < arrays.Count; i++) s.Write(DatasetHeader(arrays[i], dataAt[i]));
        for (int i = 0; i < arrays.Count; i++)
        {
            s.Write(new byte[(long)dataAt[i] - (s.Position - start)]);
            data(i, s);
            long written = s.Position - start - (long)dataAt[i];
            if (written != arrays[i].Bytes)
                throw new InvalidOperationException($"'{arrays[i].Name}' needs {arrays[i].Bytes} bytes, {written} were written");
        }
    }

    static byte[] SuperblockBytes(ulong rootAt, ulong end)
    {
        var b = new byte[Superblock];
        byte[] signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(b, 0);
        b[8] = 2; b[9] = 8; b[10] = 8; b[11] = 0; // version, sizes of offsets and lengths, flags
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(12), 0);          // base address
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(20), Undefined);  // no superblock extension
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(28), end);        // end of file
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(36), rootAt);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(44), Lookup3.Hash(b.AsSpan(0, 44)));
        return b;
    }

    /// <summary>A new-style group: link info (no dense storage), group info, one hard link per array.</summary>
    static byte[] RootGroup(ulong[] headerAt, IReadOnlyList<Hdf5Array> arrays)
    {
        var messages = new List<(byte Type, byte[] Body)>();
        var linkInfo = new byte[18];
        BinaryPrimitives.WriteUInt64LittleEndian(linkInfo.AsSpan(2), Undefined);  // fractal heap
        BinaryPrimitives.WriteUInt64LittleEndian(linkInfo.AsSpan(10), Undefined); // name index
        messages.Add((0x02, linkInfo));
        messages.Add((0x0A, new byte[2]));
        for (int i = 0; i < arrays.Count; i++)
        {
            var name = Encoding.UTF8.GetBytes(arrays[i].Name);
            if (name.Length > 255) throw new ArgumentException($"array name '{arrays[i].Name}' is too long");
            var link = new byte[3 + name.Length + 8];
            link[0] = 1; link[1] = 0; link[2] = (byte)name.Length; // version, flags (hard link, 1-byte name length)
            name.CopyTo(link, 3);
            BinaryPrimitives.WriteUInt64LittleEndian(link.AsSpan(3 + name.Length), headerAt[i]);
            messages.Add((0x06, link));
        }
        return ObjectHeader(messages);
    }

    static byte[] DatasetHeader(Hdf5Array array, ulong dataAt)
    {
        int rank = array.Dims.Length;
        var space = new byte[4 + 8 * rank];
        space[0] = 2; space[1] = (byte)rank; space[2] = 0; space[3] = 1; // version, rank, no max dims, simple
        for (int d = 0; d < rank; d++) BinaryPrimitives.WriteUInt64LittleEndian(space.AsSpan(4 + 8 * d), (ulong)array.Dims[d]);

        byte[] type;
        if (array.Float64)
        {
            type = new byte[20];
            type[0] = 0x11; type[1] = 0x20; type[2] = 63; // version 1, floating point; implied mantissa bit; sign at bit 63
            BinaryPrimitives.WriteUInt32LittleEndian(type.AsSpan(4), 8);
            BinaryPrimitives.WriteUInt16LittleEndian(type.AsSpan(8), 0);   // bit offset
            BinaryPrimitives.WriteUInt16LittleEndian(type.AsSpan(10), 64); // precision
            type[12] = 52; type[13] = 11; type[14] = 0; type[15] = 52;     // exponent at 52, 11 bits; mantissa at 0, 52 bits
            BinaryPrimitives.WriteUInt32LittleEndian(type.AsSpan(16), 1023);
        }
        else
        {
            type = new byte[12];
            type[0] = 0x10; // version 1, fixed point, little-endian, unsigned
            BinaryPrimitives.WriteUInt32LittleEndian(type.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(type.AsSpan(10), 8);
        }
        byte[] fill = [3, 0x01 | (2 << 2)]; // version 3; allocated early, written if set, none set
        var layout = new byte[18];
        layout[0] = 3; layout[1] = 1; // version 3, contiguous
        BinaryPrimitives.WriteUInt64LittleEndian(layout.AsSpan(2), dataAt);
        BinaryPrimitives.WriteUInt64LittleEndian(layout.AsSpan(10), (ulong)array.Bytes);
        return ObjectHeader([(0x01, space), (0x03, type), (0x05, fill), (0x08, layout)]);
    }

    /// <summary>A version-2 object header ("OHDR", 4-byte chunk size) holding the messages, checksummed.</summary>
    static byte[] ObjectHeader(IReadOnlyList<(byte Type, byte[] Body)> messages)
    {
        int body = messages.Sum(m => 4 + m.Body.Length);
        var b = new byte[10 + body + 4];
        "OHDR"u8.CopyTo(b);
        b[4] = 2; b[5] = 0x02;
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(6), (uint)body);
        int at = 10;
        foreach (var (kind, content) in messages)
        {
            b[at] = kind;
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at + 1), (ushort)content.Length);
            b[at + 3] = kind is 0x03 or 0x05 ? (byte)1 : (byte)0; // datatype and fill value are constant
            content.CopyTo(b, at + 4);
            at += 4 + content.Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), Lookup3.Hash(b.AsSpan(0, at)));
        return b;
    }
}
