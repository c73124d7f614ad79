using System.Buffers.Binary;
using System.Text;

namespace Sbvae.Interop;

/// <summary>
/// Writes an uncompressed zip the way PyTorch's PyTorchStreamWriter does: every record stored
/// (method 0), its data aligned to 64 bytes by an "FB" extra field in the local header, then the
/// central directory. No zip64: the records torch.save writes for these models are far below 4 GB.
/// </summary>
public sealed class StoredZipWriter
{
    const int Alignment = 64;
    const int LocalHeaderSize = 30;

    readonly Stream output;
    readonly List<(byte[] Name, uint Crc, uint Size, uint Offset)> entries = [];
    long position;

    public StoredZipWriter(Stream output) => this.output = output;

    public void Add(string name, ReadOnlySpan<byte> data)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        if (entries.Count >= ushort.MaxValue) throw new SbvaeException("too many records for a zip without zip64");
        if (position + data.Length >= uint.MaxValue)
            throw new SbvaeException("the weights are too large for a zip without zip64 (over 4 GB)");
        long dataStart = position + LocalHeaderSize + nameBytes.Length + 4; // 4 = the FB field's own header
        int padding = (int)((Alignment - dataStart % Alignment) % Alignment);
        uint crc = Crc32.Compute(data);

        Span<byte> header = stackalloc byte[LocalHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 20);   // version needed
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);    // flags
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0);    // method: stored
        BinaryPrimitives.WriteUInt32LittleEndian(header[10..], 0);   // time and date
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], (uint)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(padding + 4));
        output.Write(header);
        output.Write(nameBytes);
        Span<byte> extra = stackalloc byte[4 + Alignment];
        extra[0] = (byte)'F'; extra[1] = (byte)'B';
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)padding);
        extra[4..].Fill((byte)'Z');
        output.Write(extra[..(4 + padding)]);
        output.Write(data);

        entries.Add((nameBytes, crc, (uint)data.Length, (uint)position));
        position = dataStart + padding + data.Length;
    }

    /// <summary>Writes the central directory and the end record; the stream stays open.</summary>
    public void Finish()
    {
        long start = position;
        Span<byte> h = stackalloc byte[46];
        foreach (var (name, crc, size, offset) in entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20);    // version made by
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 20);    // version needed
            BinaryPrimitives.WriteUInt16LittleEndian(h[8..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(h[10..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(h[12..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(h[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(h[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[24..], size);
            BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(h[30..], 0);    // extra
            BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 0);    // comment
            BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 0);    // disk
            BinaryPrimitives.WriteUInt16LittleEndian(h[36..], 0);    // internal attributes
            BinaryPrimitives.WriteUInt32LittleEndian(h[38..], 0);    // external attributes
            BinaryPrimitives.WriteUInt32LittleEndian(h[42..], offset);
            output.Write(h);
            output.Write(name);
            position += 46 + name.Length;
        }
        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)(position - start));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)start);
        output.Write(end);
        position += 22;
    }
}
