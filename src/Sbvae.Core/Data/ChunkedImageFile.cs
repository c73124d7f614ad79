using Microsoft.Win32.SafeHandles;

namespace Sbvae.Data;

/// <summary>
/// uint8 images (N, H, W, C) stored from <c>offset</c> on in a file, read with plain positioned reads: rows
/// taken in order in chunks of a few images with a small cache of recent chunks, a random row by itself. The
/// file is never mapped or read whole, so a set larger than memory trains. Factor classes are held in memory (N × F ints).
/// </summary>
public sealed class ChunkedImageFile : IImageStore, IDisposable
{
    /// <summary>About 64 KB per read: large enough for sequential passes, small for random batches.</summary>
    const int ChunkBytes = 1 << 16;
    const int CachedChunks = 64;

    readonly SafeFileHandle file;
    readonly long offset;
    readonly int imageBytes, imagesPerChunk;
    readonly int[] classes;
    readonly Dictionary<long, LinkedListNode<(long Chunk, byte[] Bytes)>> cached = [];
    readonly LinkedList<(long Chunk, byte[] Bytes)> recent = new();
    readonly object gate = new();

    public string Path { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public IReadOnlyList<string> FactorNames { get; }
    public IReadOnlyList<int> FactorSizes { get; }

    /// <param name="classes">(N, F) row-major 0-based classes of the factors named in <paramref name="factorNames"/>.</param>
    public ChunkedImageFile(string path, long offset, int count, int height, int width, int channels,
        IReadOnlyList<string> factorNames, int[] classes)
    {
        if (channels is not (1 or 3)) throw new SbvaeException($"'{path}': images need 1 or 3 channels, not {channels}");
        int f = factorNames.Count;
        if (classes.LongLength != (long)count * f)
            throw new ArgumentException($"{classes.Length} factor classes for {count} images of {f} factors");
        var sizes = new int[f];
        for (int i = 0; i < classes.Length; i++)
        {
            if (classes[i] < 0) throw new SbvaeException($"'{path}': factor '{factorNames[i % f]}' has a negative class");
            sizes[i % f] = Math.Max(sizes[i % f], classes[i] + 1);
        }
        Path = path;
        this.offset = offset;
        Count = count; Height = height; Width = width; Channels = channels;
        FactorNames = factorNames.ToArray();
        FactorSizes = sizes;
        this.classes = classes;
        imageBytes = height * width * channels;
        imagesPerChunk = Math.Max(1, ChunkBytes / imageBytes);
        try { file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot open '{path}': {e.Message}");
        }
        long need = offset + (long)count * imageBytes;
        if (RandomAccess.GetLength(file) < need)
        {
            file.Dispose();
            throw new SbvaeException($"'{path}' is truncated: {count} images of {height}×{width}×{channels} need {need:N0} bytes, it has {new FileInfo(path).Length:N0}");
        }
    }

    public void ClassesOf(int row, Span<int> dest)
    {
        int f = FactorNames.Count;
        classes.AsSpan(row * f, f).CopyTo(dest);
    }

    public void Gather(ReadOnlySpan<long> indices, Span<float> batch)
    {
        int pixels = Height * Width;
        ImageGather.Check(indices, Count, 3L * pixels, batch.Length);
        var scratch = Channels == 3 ? new byte[3 * pixels] : [];
        var single = new byte[imageBytes];
        lock (gate)
            for (int n = 0; n < indices.Length; n++)
            {
                long chunk = indices[n] / imagesPerChunk;
                Span<byte> bytes;
                if (cached.ContainsKey(chunk) || InOrder(indices, n))
                    bytes = Chunk(chunk).AsSpan((int)(indices[n] - chunk * imagesPerChunk) * imageBytes, imageBytes);
                else
                {
                    // A random row: read just its bytes, not the chunk around it (a fifth of the reading for 64×64 RGB).
                    Read(offset + indices[n] * imageBytes, single);
                    bytes = single;
                }
                ImageGather.HwcToChw(bytes, pixels, Channels, scratch, batch.Slice(n * 3 * pixels, 3 * pixels));
            }
    }

    /// <summary>Row <paramref name="n"/> continues a run of consecutive rows (a pass in order), where whole chunks pay.</summary>
    static bool InOrder(ReadOnlySpan<long> indices, int n) =>
        (n > 0 && indices[n - 1] + 1 == indices[n]) || (n + 1 < indices.Length && indices[n] + 1 == indices[n + 1]);

    byte[] Chunk(long chunk)
    {
        if (cached.TryGetValue(chunk, out var node))
        {
            recent.Remove(node);
            recent.AddFirst(node);
            return node.Value.Bytes;
        }
        long first = chunk * imagesPerChunk;
        int images = (int)Math.Min(imagesPerChunk, Count - first);
        byte[] bytes;
        if (recent.Count >= CachedChunks)
        {
            var last = recent.Last!;
            recent.RemoveLast();
            cached.Remove(last.Value.Chunk);
            bytes = last.Value.Bytes;
        }
        else
            bytes = new byte[imagesPerChunk * imageBytes];
        Read(offset + first * imageBytes, bytes.AsSpan(0, images * imageBytes));
        cached[chunk] = recent.AddFirst((chunk, bytes));
        return bytes;
    }

    void Read(long at, Span<byte> into)
    {
        while (into.Length > 0)
        {
            int got = RandomAccess.Read(file, into, at);
            if (got <= 0) throw new SbvaeException($"'{Path}' ended early at byte {at:N0} (was it truncated while in use?)");
            into = into[got..];
            at += got;
        }
    }

    public void Dispose() => file.Dispose();
}
