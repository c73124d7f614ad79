using System.IO.Compression;

namespace Sbvae.Data;

/// <summary>
/// numpy .npz archives: a zip of "name.npy" entries (np.savez stores them, np.savez_compressed
/// deflates them; both read). Writes deflated entries, atomically.
/// </summary>
public static class Npz
{
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        using var zip = Open(path);
        var arrays = new Dictionary<string, NpyArray>();
        foreach (var entry in zip.Entries)
            arrays[ArrayName(entry)] = ReadEntry(path, entry);
        return arrays;
    }

    public static IReadOnlyList<string> ArrayNames(string path)
    {
        using var zip = Open(path);
        return zip.Entries.Select(ArrayName).ToList();
    }

    public static NpyArray ReadArray(string path, string name)
    {
        using var zip = Open(path);
        var entry = zip.Entries.FirstOrDefault(e => ArrayName(e) == name)
            ?? throw new SbvaeException(
                $"'{path}' has no array '{name}' (it has: {string.Join(", ", zip.Entries.Select(ArrayName))})");
        return ReadEntry(path, entry);
    }

    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        foreach (string name in arrays.Keys)
            if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Contains('\\'))
                throw new SbvaeException($"cannot write '{path}': bad array name '{name}'");
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, array) in arrays)
            {
                // Fastest deflate: the images are mostly black, so it already shrinks them ~20×.
                var entry = zip.CreateEntry(name + ".npy", CompressionLevel.Fastest);
                using var s = entry.Open();
                NpyFormat.Write(s, array);
            }
        });
    }

    /// <summary>numpy's NpzFile drops the ".npy" suffix to form the key.</summary>
    static string ArrayName(ZipArchiveEntry e) =>
        e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName;

    static ZipArchive Open(string path)
    {
        if (Directory.Exists(path))
            throw new SbvaeException($"'{path}' is a directory, not an .npz file");
        if (!File.Exists(path))
            throw new SbvaeException($"'{path}' not found");
        FileStream fs;
        try { fs = File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot open '{path}': {e.Message}");
        }
        try { return new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            fs.Dispose();
            throw new SbvaeException($"'{path}' is not a valid .npz (zip) file, or it is truncated: {e.Message}");
        }
    }

    /// <summary>
    /// Hands the (decompressed) stream of one member and its length to <paramref name="read"/>, for
    /// arrays too large to hold as one byte[]; read/format errors come back as one-line SbvaeExceptions.
    /// </summary>
    internal static T ReadStreaming<T>(string path, string name, Func<Stream, long, T> read)
    {
        using var zip = Open(path);
        var entry = zip.Entries.FirstOrDefault(e => ArrayName(e) == name)
            ?? throw new SbvaeException(
                $"'{path}' has no array '{name}' (it has: {string.Join(", ", zip.Entries.Select(ArrayName))})");
        try
        {
            using var s = entry.Open();
            return read(s, entry.Length);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or OverflowException)
        {
            throw new SbvaeException($"'{path}', array '{name}': {e.Message}");
        }
    }

    static NpyArray ReadEntry(string path, ZipArchiveEntry entry)
    {
        try
        {
            using var s = entry.Open();
            return NpyFormat.Read(s, entry.Length);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or OverflowException)
        {
            throw new SbvaeException($"'{path}', array '{ArrayName(entry)}': {e.Message}");
        }
    }
}
