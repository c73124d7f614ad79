using System.IO.Compression;
using System.Text;
using Sbvae.Data;

namespace Sbvae.Tests.Data;

/// <summary>
/// Writes .npz files as np.savez_compressed does for the public datasets: every member deflated, and
/// (as in dSprites) a 'metadata' member holding a pickled object array that readers must skip.
/// </summary>
public static class PublicLayout
{
    public static string Write(string path, IReadOnlyDictionary<string, NpyArray> arrays, bool metadata = true)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        foreach (var (name, array) in arrays)
        {
            using var s = zip.CreateEntry(name + ".npy", CompressionLevel.Optimal).Open();
            s.Write(Header(array.DType, array.Shape));
            s.Write(array.Data);
        }
        if (metadata)
        {
            using var s = zip.CreateEntry("metadata.npy", CompressionLevel.Optimal).Open();
            s.Write(Header("|O", []));
            // A protocol-2 pickle of {'title': 'x'}: bytes a reader must never run.
            s.Write([0x80, 0x02, (byte)'}', (byte)'q', 0x00, (byte)'U', 0x05, .. Encoding.ASCII.GetBytes("title"), (byte)'U', 0x01, (byte)'x', (byte)'s', (byte)'.']);
        }
        return path;
    }

    static byte[] Header(string descr, int[] shape)
    {
        string dims = shape.Length switch { 0 => "()", 1 => $"({shape[0]},)", _ => "(" + string.Join(", ", shape) + ")" };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        int pad = 64 - (10 + dict.Length + 1) % 64;
        string header = dict + new string(' ', pad) + "\n";
        var bytes = new byte[10 + header.Length];
        bytes[0] = 0x93; Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = 1;
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 2), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header).CopyTo(bytes, 10);
        return bytes;
    }
}
