using System.Security.Cryptography;
using System.Text;

namespace Sbvae.Data;

/// <summary>
/// One cache folder shared by every run and process (default: $SBVAE_CACHE_DIR, else the user's cache
/// folder + /sbvae) for pixels that are slow to make: decoded image folders, unpacked archives. Entries are
/// named by a hash of everything they depend on and written atomically (a temporary file renamed into
/// place), so two processes making the same entry at once both end up reading one whole file.
/// </summary>
public sealed class DatasetCache(string? dir = null)
{
    public string Dir { get; } = dir ?? DefaultDir();

    public static string DefaultDir()
    {
        if (Environment.GetEnvironmentVariable("SBVAE_CACHE_DIR") is { Length: > 0 } set) return set;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "sbvae");
    }

    /// <summary>The entry for <paramref name="key"/> (any text naming its inputs), made by <paramref name="write"/> if missing.</summary>
    public string GetOrCreate(string key, string extension, Action<Stream> write)
    {
        string path = PathFor(key, extension);
        if (!File.Exists(path)) AtomicFile.Write(path, write);
        return path;
    }

    public string PathFor(string key, string extension) =>
        Path.Combine(Dir, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + extension);

    /// <summary>What a file's cached derivative depends on: its full path, size and modification time.</summary>
    public static string Stamp(string file)
    {
        var info = new FileInfo(file);
        return $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
    }
}
