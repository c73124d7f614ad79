namespace Sbvae.Data;

/// <summary>A single numpy .npy file (np.save), read and written whole.</summary>
public static class NpyFile
{
    public static NpyArray Read(string path)
    {
        if (Directory.Exists(path)) throw new SbvaeException($"'{path}' is a directory, not an .npy file");
        if (!File.Exists(path)) throw new SbvaeException($"'{path}' not found");
        try
        {
            using var s = File.OpenRead(path);
            return NpyFormat.Read(s, s.Length);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or OverflowException)
        {
            throw new SbvaeException($"'{path}': {e.Message}");
        }
    }

    public static void Write(string path, NpyArray array) => AtomicFile.Write(path, s => NpyFormat.Write(s, array));
}
