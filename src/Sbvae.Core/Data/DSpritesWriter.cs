using System.IO.Compression;

namespace Sbvae.Data;

/// <summary>
/// Writes a dSprites-style source in the public file's layout (imgs uint8 0/1 (N, S, S), latents_values
/// float64 and latents_classes int64 (N, F), members deflated), atomically and image by image, so the
/// full 737,280-image grid never sits in memory.
/// </summary>
public static class DSpritesWriter
{
    public static void Write(string path, IDSpritesSource source)
    {
        var factors = source.Factors;
        int n = source.Count, f = factors.NumFactors, side = source.Side;
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry("imgs.npy", CompressionLevel.Fastest).Open())
            {
                s.Write(NpyHeader.Format("|u1", [n, side, side]));
                var image = new byte[side * side];
                for (int row = 0; row < n; row++)
                {
                    source.Image(row, image);
                    s.Write(image);
                }
            }
            using (var s = zip.CreateEntry("latents_values.npy", CompressionLevel.Fastest).Open())
            {
                s.Write(NpyHeader.Format("<f8", [n, f]));
                Span<double> values = stackalloc double[f];
                for (int row = 0; row < n; row++)
                {
                    factors.Values(row, values);
                    s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
                }
            }
            using (var s = zip.CreateEntry("latents_classes.npy", CompressionLevel.Fastest).Open())
            {
                s.Write(NpyHeader.Format("<i8", [n, f]));
                Span<long> classes = stackalloc long[f];
                for (int row = 0; row < n; row++)
                {
                    factors.Classes(row, classes);
                    s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(classes));
                }
            }
        });
    }
}
