namespace Sbvae.Data;

/// <summary>
/// How a folder of images becomes a dataset: the square side images are centre-cropped and resized to,
/// 1 or 3 channels (null: 1 when every image is grey), whether unreadable images are skipped instead of
/// stopping the command, and the cache folder (null: <see cref="DatasetCache.DefaultDir"/>).
/// </summary>
public sealed record ImageFolderSettings(int Size = 64, int? Channels = null, bool SkipBadImages = false, string? CacheDir = null)
{
    public static readonly ImageFolderSettings Default = new();

    public void Validate()
    {
        if (Size < 16 || Size > 1024 || Size % 16 != 0)
            throw new SbvaeException($"--img-size must be a multiple of 16 from 16 to 1024 (the encoder halves it four times), got {Size}");
        if (Channels is not (null or 1 or 3)) throw new SbvaeException($"--channels must be 1 or 3, got {Channels}");
    }

    /// <summary>The part of the cache key the pixels depend on (not where the cache is, nor skipping, which only lists).</summary>
    public string Key => $"size={Size}|channels={Channels?.ToString() ?? "auto"}|skip={SkipBadImages}";
}
