using System.Buffers.Binary;

namespace Sbvae.Figures;

/// <summary>
/// A minimal animated GIF89a writer (SkiaSharp decodes GIFs but cannot write them):
/// one global 256-colour palette, full frames, a NETSCAPE2.0 loop extension.
/// </summary>
public static class GifEncoder
{
    /// <summary>
    /// Encodes frames given as RGBA8888 pixels (row-major, 4 bytes per pixel, alpha ignored).
    /// </summary>
    /// <param name="delayCentiseconds">time each frame is shown, in 1/100 s (GIF's unit)</param>
    /// <param name="loopCount">0 loops forever</param>
    public static byte[] Encode(int width, int height, IReadOnlyList<byte[]> rgbaFrames,
                                int delayCentiseconds, int loopCount = 0)
    {
        ArgumentNullException.ThrowIfNull(rgbaFrames);
        if (width is <= 0 or > ushort.MaxValue || height is <= 0 or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}×{height} does not fit a GIF");
        if (rgbaFrames.Count == 0) throw new ArgumentException("no frames", nameof(rgbaFrames));
        if (delayCentiseconds is < 0 or > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(delayCentiseconds));
        if (loopCount is < 0 or > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(loopCount));
        foreach (byte[] f in rgbaFrames)
            if (f.Length != width * height * 4)
                throw new ArgumentException($"a frame has {f.Length} bytes; {width}×{height} RGBA needs {width * height * 4}");

        GifPalette palette = GifPalette.Build(rgbaFrames);
        using var s = new MemoryStream();
        s.Write("GIF89a"u8);
        // Logical screen descriptor: global table present, 8 bits per channel, 256 entries.
        U16(s, width); U16(s, height);
        s.WriteByte(0xF7); s.WriteByte(0); s.WriteByte(0);
        s.Write(palette.Table);

        s.Write([0x21, 0xFF, 11]);
        s.Write("NETSCAPE2.0"u8);
        s.Write([3, 1]); U16(s, loopCount); s.WriteByte(0);

        var indices = new byte[width * height];
        foreach (byte[] frame in rgbaFrames)
        {
            // Graphic control: disposal "leave in place" (frames are opaque and full size).
            s.Write([0x21, 0xF9, 4, 0x04]); U16(s, delayCentiseconds); s.Write([0, 0]);
            s.WriteByte(0x2C); U16(s, 0); U16(s, 0); U16(s, width); U16(s, height); s.WriteByte(0);
            for (int p = 0; p < indices.Length; p++) indices[p] = palette.IndexOf(frame, 4 * p);
            GifLzw.Write(s, indices);
        }
        s.WriteByte(0x3B);
        return s.ToArray();
    }

    static void U16(Stream s, int v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
        s.Write(b);
    }
}
