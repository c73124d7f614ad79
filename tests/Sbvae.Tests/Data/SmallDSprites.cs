using System.IO.Compression;
using Sbvae.Data;

namespace Sbvae.Tests.Data;

/// <summary>
/// Writes small files in the public dSprites layout (imgs uint8 0/1 (N, S, S), latents_values
/// float64 (N, 6), latents_classes int64 (N, 6), rows in C order) over a reduced factor grid.
/// </summary>
public sealed class SmallDSprites
{
    public static readonly int[] GridSizes = [1, 3, 2, 2, 4, 4];
    public const int Side = 16;

    public int Count { get; } = GridSizes.Aggregate(1, (a, b) => a * b);
    public byte[] Imgs { get; }
    public double[] Values { get; }
    public long[] Classes { get; }

    /// <summary>Random 0/1 pixels (seeded) so any bit-packing slip shows; the factor value of class c of factor j is j + c / 4.</summary>
    public SmallDSprites(int seed = 1)
    {
        var rng = new Random(seed);
        Imgs = new byte[Count * Side * Side];
        for (int i = 0; i < Imgs.Length; i++) Imgs[i] = (byte)rng.Next(2);
        Values = new double[Count * 6];
        Classes = new long[Count * 6];
        for (int row = 0; row < Count; row++)
        {
            int rest = row;
            for (int j = 5; j >= 0; j--)
            {
                Classes[row * 6 + j] = rest % GridSizes[j];
                Values[row * 6 + j] = ValueOf(j, rest % GridSizes[j]);
                rest /= GridSizes[j];
            }
        }
    }

    public static double ValueOf(int factor, long c) => factor + c / 4.0;

    public Dictionary<string, NpyArray> Arrays() => new()
    {
        ["imgs"] = NpyArray.FromBytes(Imgs, [Count, Side, Side]),
        ["latents_values"] = NpyArray.FromDoubles(Values, [Count, 6]),
        ["latents_classes"] = NpyArray.FromInt64s(Classes, [Count, 6]),
    };

    public string Write(string path, Action<Dictionary<string, NpyArray>>? change = null)
    {
        var arrays = Arrays();
        change?.Invoke(arrays);
        Npz.Write(path, arrays);
        return path;
    }

    /// <summary>Rewrites one member's .npy bytes inside an existing .npz (stored, not deflated).</summary>
    public static void RewriteMember(string path, string name, Func<byte[], byte[]> change)
    {
        var entries = new List<(string Name, byte[] Bytes)>();
        using (var zip = ZipFile.OpenRead(path))
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                entries.Add((e.FullName, e.FullName == name + ".npy" ? change(m.ToArray()) : m.ToArray()));
            }
        using var fs = File.Create(path);
        using var outZip = new ZipArchive(fs, ZipArchiveMode.Create);
        foreach (var (n, bytes) in entries)
        {
            using var s = outZip.CreateEntry(n, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
    }
}
