using System.Runtime.InteropServices;
using SkiaSharp;

namespace Sbvae.Tests.Figures;

/// <summary>
/// Walks a GIF's block structure without decoding pixels (so the encoder is checked by a
/// reader it does not share code with); pixels are decoded separately by Skia's codec.
/// </summary>
internal sealed record GifLayout(string Version, int Width, int Height, int GlobalTableSize,
                                 int? LoopCount, List<int> DelaysCs, int ImageCount, bool HasTrailer)
{
    public static GifLayout Parse(byte[] b)
    {
        int p = 0;
        string version = System.Text.Encoding.ASCII.GetString(b, 0, 6);
        int w = b[6] | b[7] << 8, h = b[8] | b[9] << 8;
        int packed = b[10];
        int table = (packed & 0x80) != 0 ? 1 << ((packed & 7) + 1) : 0;
        p = 13 + 3 * table;
        int? loop = null;
        var delays = new List<int>();
        int images = 0;
        while (p < b.Length)
        {
            switch (b[p])
            {
                case 0x3B:
                    return new GifLayout(version, w, h, table, loop, delays, images, p == b.Length - 1);
                case 0x21:
                    int label = b[p + 1];
                    p += 2;
                    int first = p;
                    if (label == 0xFF && b[p] == 11 && System.Text.Encoding.ASCII.GetString(b, p + 1, 11) == "NETSCAPE2.0")
                        loop = b[p + 14] | b[p + 15] << 8;
                    if (label == 0xF9) delays.Add(b[p + 2] | b[p + 3] << 8);
                    p = SkipSubBlocks(b, first);
                    break;
                case 0x2C:
                    images++;
                    int ip = b[p + 9];
                    p += 10 + ((ip & 0x80) != 0 ? 3 * (1 << ((ip & 7) + 1)) : 0);
                    p++; // LZW minimum code size
                    p = SkipSubBlocks(b, p);
                    break;
                default:
                    throw new InvalidDataException($"unexpected block 0x{b[p]:X2} at {p}");
            }
        }
        return new GifLayout(version, w, h, table, loop, delays, images, false);
    }

    static int SkipSubBlocks(byte[] b, int p)
    {
        while (b[p] != 0) p += b[p] + 1;
        return p + 1;
    }

    /// <summary>Decodes every frame to RGBA with Skia's GIF codec.</summary>
    public static List<SKBitmap> DecodeFrames(byte[] gif, out int repetitionCount)
    {
        using var codec = SKCodec.Create(new MemoryStream(gif)) ?? throw new InvalidDataException("Skia cannot open the GIF");
        repetitionCount = codec.RepetitionCount;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var frames = new List<SKBitmap>();
        for (int i = 0; i < codec.FrameCount; i++)
        {
            var bmp = new SKBitmap(info);
            SKCodecResult r = codec.GetPixels(info, bmp.GetPixels(), new SKCodecOptions(i));
            if (r != SKCodecResult.Success) throw new InvalidDataException($"frame {i}: {r}");
            frames.Add(bmp);
        }
        return frames;
    }
}
