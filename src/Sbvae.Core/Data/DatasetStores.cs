namespace Sbvae.Data;

/// <summary>
/// Opens what `--dataset` names as an image store: an .npz whose images fit memory as an
/// <see cref="ImageDataset"/> (as always), a larger dSprites-layout file as the 1-bit
/// <see cref="DSpritesStore"/>, a larger RGB .npz unpacked once into the cache and read in chunks, and a
/// folder of images decoded once into the cache and held in memory (<see cref="ImageFolder"/>), and
/// 3D Shapes' .h5 (<see cref="Shapes3D"/>).
/// </summary>
public static class DatasetStores
{
    /// <summary>Images up to this many bytes are held in memory as one array.</summary>
    public const long InMemoryBytes = 1L << 30;

    /// <param name="inMemoryBytes">Tests lower it to reach the streamed stores with small files.</param>
    /// <param name="folder">How a folder of images is read (size, channels, bad images, cache folder).</param>
    public static IImageStore Open(string? path, DatasetCache? cache = null, long inMemoryBytes = InMemoryBytes,
        ImageFolderSettings? folder = null)
    {
        if (path is not null && Directory.Exists(path)) return ImageFolder.Open(path, folder, cache, inMemoryBytes);
        if (path is null) return ImageDataset.Reference();
        if (Shapes3D.IsHdf5(path)) return Shapes3D.Open(path, inMemoryBytes, cache);
        var (shape, bytes) = Npz.ReadStreaming(path, "imgs", (s, length) =>
        {
            var (_, shape, need) = NpyFormat.ReadHeader(s, length);
            return (shape, need);
        });
        if (bytes <= Math.Min(inMemoryBytes, Array.MaxLength)) return ImageDataset.Load(path);
        if (shape.Length == 3) return DSprites.Load(path);
        return NpzImageFile.Open(path, cache ?? new DatasetCache());
    }
}
