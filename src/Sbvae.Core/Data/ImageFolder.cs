using System.Buffers.Binary;
using System.Globalization;
using SkiaSharp;

namespace Sbvae.Data;

/// <summary>
/// A folder of PNG, JPEG, BMP and WebP files (found recursively, in ordinal order of their relative
/// paths; other files are ignored) as an image store: each decoded with SkiaSharp, turned upright by its
/// EXIF orientation, alpha composited over black, reduced to 8 bits, centre-cropped to a square and
/// resized to <see cref="ImageFolderSettings.Size"/>. Greyscale (1 channel) when every image is grey or
/// --channels 1 asks (colour then becomes luma), else RGB. An optional <c>factors.csv</c> (header
/// <c>file,&lt;factor&gt;,…</c>; integer classes per relative path) gives the factors; without it the dataset
/// has none. Decoded pixels are kept in the <see cref="DatasetCache"/>, keyed by the file list with sizes
/// and modification times and the settings, made a block of images at a time (never all in memory) and
/// renamed into place whole; a set larger than <see cref="DatasetStores.InMemoryBytes"/> is read from
/// there in chunks.
/// </summary>
public static class ImageFolder
{
    public const string FactorsFile = "factors.csv";
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>Images decoded so far in this process (tests use it to see the cache being reused).</summary>
    internal static int Decoded;

    const string Magic = "SBVIMG2\n";
    const int HeaderBytes = 8 + 5 * 4;
    /// <summary>Images decoded at once, in parallel, before they are written out.</summary>
    const int Block = 256;

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Relative paths ('/'-separated) of the images under <paramref name="dir"/>, in ordinal order.</summary>
    public static string[] List(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(IsImage)
            .Select(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The folder held in memory (for commands that need every image in one array).</summary>
    public static ImageDataset Load(string dir, DatasetCache? cache = null, ImageFolderSettings? settings = null) =>
        Open(dir, settings, cache, long.MaxValue) as ImageDataset
            ?? throw new SbvaeException($"'{dir}' holds more pixels than one array can (2 GB), which this command still needs");

    /// <param name="inMemoryBytes">Up to this many bytes of pixels the set is held in memory, else read from the cache in chunks.</param>
    public static IImageStore Open(string dir, ImageFolderSettings? settings = null, DatasetCache? cache = null,
        long inMemoryBytes = DatasetStores.InMemoryBytes)
    {
        settings ??= ImageFolderSettings.Default;
        settings.Validate();
        cache ??= new DatasetCache(settings.CacheDir);
        string full = Path.GetFullPath(dir);
        string[] files = List(full);
        if (files.Length == 0)
            throw new SbvaeException($"'{dir}' holds no images ({string.Join(", ", Extensions)})");
        var (names, allClasses) = ReadFactors(full, files);

        var key = new System.Text.StringBuilder($"image-folder v2|{settings.Key}|{full}\n");
        foreach (string f in files)
        {
            var info = new FileInfo(Path.Combine(full, f));
            key.Append(f).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        string entry = cache.PathFor(key.ToString(), ".imgs");
        var header = File.Exists(entry) ? ReadHeader(entry, files.Length, settings.Size) : null;
        if (header is null)
        {
            Build(dir, full, files, settings, cache, key.ToString());
            header = ReadHeader(entry, files.Length, settings.Size)
                ?? throw new SbvaeException($"the cache entry '{entry}' was damaged while it was being read");
        }
        var (count, channels, skipped, offset) = header.Value;
        if (skipped.Length > 0)
            Console.Error.WriteLine($"sbvae: warning: '{dir}': left out {skipped.Length} unreadable image{(skipped.Length == 1 ? "" : "s")}: {Names([.. skipped.Select(i => files[i])])}");

        var skip = skipped.ToHashSet();
        int factors = names.Length;
        var classes = new long[(long)count * factors];
        for (int i = 0, kept = 0; i < files.Length; i++)
            if (!skip.Contains(i)) Array.Copy(allClasses, (long)i * factors, classes, (long)kept++ * factors, factors);
        long bytes = (long)count * settings.Size * settings.Size * channels;
        if (bytes > Math.Min(inMemoryBytes, Array.MaxLength))
            return new ChunkedImageFile(entry, offset, count, settings.Size, settings.Size, channels, names,
                classes.Select(c => (int)c).ToArray());
        var pixels = new byte[bytes];
        using (var s = File.OpenRead(entry))
        {
            s.Position = offset;
            s.ReadExactly(pixels);
        }
        var values = classes.Select(c => (double)c).ToArray();
        return new ImageDataset(count, settings.Size, settings.Size, channels, pixels, names, values, classes);
    }

    /// <summary>The first five names, then "…" if there are more.</summary>
    static string Names(string[] names) => string.Join(", ", names.Take(5)) + (names.Length > 5 ? ", …" : "");

    /// <summary>
    /// Decodes every image, a block at a time, as RGB into a scratch file of this process, then writes the
    /// entry from it in its final channels, atomically: two processes building one entry both finish, and
    /// the entry is always one of their whole files.
    /// </summary>
    static void Build(string dir, string full, string[] files, ImageFolderSettings settings, DatasetCache cache, string key)
    {
        int side = settings.Size, rgbBytes = side * side * 3;
        var failed = new bool[files.Length];
        var grey = new bool[files.Length];
        try { Directory.CreateDirectory(cache.Dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot create the cache folder '{cache.Dir}': {e.Message}");
        }
        string scratch = Path.Combine(cache.Dir, $".decoding.{Environment.ProcessId}.{Guid.NewGuid():N}.rgb");
        using var rgb = new FileStream(scratch, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        var buffer = new byte[Block * rgbBytes];
        for (int first = 0; first < files.Length; first += Block)
        {
            int n = Math.Min(Block, files.Length - first);
            Parallel.For(0, n, k =>
            {
                var image = buffer.AsSpan(k * rgbBytes, rgbBytes);
                failed[first + k] = !Decode(Path.Combine(full, files[first + k]), side, image);
                if (failed[first + k]) image.Clear();
                grey[first + k] = IsGrey(image);
                Interlocked.Increment(ref Decoded);
            });
            rgb.Write(buffer, 0, n * rgbBytes);
        }
        var bad = files.Where((_, i) => failed[i]).ToArray();
        if (bad.Length > 0 && !settings.SkipBadImages)
            throw new SbvaeException($"'{dir}': {bad.Length} image{(bad.Length == 1 ? "" : "s")} could not be read: {Names(bad)} (--skip-bad-images leaves them out)");
        int[] skipped = [.. Enumerable.Range(0, files.Length).Where(i => failed[i])];
        int count = files.Length - skipped.Length;
        if (count == 0) throw new SbvaeException($"'{dir}': none of its {files.Length} images could be read");
        int channels = settings.Channels ?? (Enumerable.Range(0, files.Length).All(i => failed[i] || grey[i]) ? 1 : 3);

        cache.GetOrCreate(key, ".imgs", s =>
        {
            WriteHeader(s, count, side, channels, skipped);
            var one = new byte[side * side];
            for (int first = 0; first < files.Length; first += Block)
            {
                int n = Math.Min(Block, files.Length - first);
                rgb.Position = (long)first * rgbBytes;
                rgb.ReadExactly(buffer, 0, n * rgbBytes);
                for (int k = 0; k < n; k++)
                {
                    if (failed[first + k]) continue;
                    var image = buffer.AsSpan(k * rgbBytes, rgbBytes);
                    if (channels == 3) { s.Write(image); continue; }
                    // Luma (ITU-R 601), exact for grey pixels (the weights sum to 1000).
                    for (int p = 0; p < one.Length; p++)
                        one[p] = (byte)((299 * image[3 * p] + 587 * image[3 * p + 1] + 114 * image[3 * p + 2] + 500) / 1000);
                    s.Write(one);
                }
            }
        });
    }

    static bool IsGrey(ReadOnlySpan<byte> rgb)
    {
        for (int p = 0; p < rgb.Length; p += 3)
            if (rgb[p] != rgb[p + 1] || rgb[p] != rgb[p + 2]) return false;
        return true;
    }

    /// <summary>Writes one image as <paramref name="size"/>² RGB bytes; false when it cannot be decoded whole.</summary>
    internal static bool Decode(string path, int size, Span<byte> rgb)
    {
        using var codec = SKCodec.Create(path);
        if (codec is null) return false;
        int w = codec.Info.Width, h = codec.Info.Height;
        if (w < 1 || h < 1) return false;
        // Premultiplied RGBA8: 16-bit sources are reduced to 8 bits, and dropping alpha afterwards is compositing over black.
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var raw = new SKBitmap(info);
        if (codec.GetPixels(info, raw.GetPixels()) != SKCodecResult.Success) return false;

        using var upright = Orient(raw, codec.EncodedOrigin);
        int side = Math.Min(upright.Width, upright.Height);
        var crop = SKRectI.Create((upright.Width - side) / 2, (upright.Height - side) / 2, side, side);
        using var image = SKImage.FromBitmap(upright);
        using var square = image.Subset(crop);
        // High quality: mipmaps when shrinking, Mitchell cubic when enlarging.
        var sampling = side > size ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : side < size ? new SKSamplingOptions(SKCubicResampler.Mitchell) : new SKSamplingOptions(SKFilterMode.Nearest);
        var outInfo = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var scaled = new SKBitmap(outInfo);
        using (var pixmap = scaled.PeekPixels())
            if (!square.ScalePixels(pixmap, sampling)) return false;
        var rgba = scaled.GetPixelSpan();
        for (int p = 0; p < size * size; p++)
        {
            rgb[3 * p] = rgba[4 * p];
            rgb[3 * p + 1] = rgba[4 * p + 1];
            rgb[3 * p + 2] = rgba[4 * p + 2];
        }
        return true;
    }

    /// <summary>The bitmap turned as its EXIF orientation says (an exact pixel permutation).</summary>
    static SKBitmap Orient(SKBitmap raw, SKEncodedOrigin origin)
    {
        float w = raw.Width, h = raw.Height;
        // x' = scaleX·x + skewX·y + transX, y' = skewY·x + scaleY·y + transY: raw pixel → upright pixel.
        SKMatrix? m = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => null,
        };
        if (m is null) return raw.Copy();
        bool swap = origin >= SKEncodedOrigin.LeftTop;
        var turned = new SKBitmap(new SKImageInfo(swap ? raw.Height : raw.Width, swap ? raw.Width : raw.Height,
            SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(turned);
        canvas.Clear(SKColors.Transparent);
        canvas.SetMatrix(m.Value);
        using var image = SKImage.FromBitmap(raw);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
        return turned;
    }

    /// <summary>Factor names and (N, F) classes in file order from factors.csv, or no factors without it.</summary>
    static (string[] Names, long[] Classes) ReadFactors(string dir, string[] files)
    {
        string path = Path.Combine(dir, FactorsFile);
        if (!File.Exists(path)) return ([], []);
        void Fail(string problem) => throw new SbvaeException($"'{path}': {problem}");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length == 0) Fail("is empty (it needs a header: file, then one column per factor)");
        var header = lines[0].Split(',').Select(c => c.Trim()).ToArray();
        if (header[0] != "file" || header.Length < 2) Fail("the header must be 'file' then one column per factor");
        string[] names = header[1..];
        int f = names.Length;
        var rows = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (int l = 1; l < lines.Length; l++)
        {
            var cells = lines[l].Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length != f + 1) Fail($"line {l + 1} has {cells.Length} columns, the header {f + 1}");
            var c = new long[f];
            for (int j = 0; j < f; j++)
                if (!long.TryParse(cells[j + 1], NumberStyles.None, CultureInfo.InvariantCulture, out c[j]))
                    Fail($"line {l + 1}: '{cells[j + 1]}' is not a non-negative integer class of '{names[j]}'");
            string file = cells[0].Replace('\\', '/');
            if (!rows.TryAdd(file, c)) Fail($"line {l + 1}: '{file}' is listed twice");
        }
        var missing = files.Where(x => !rows.ContainsKey(x)).ToArray();
        if (missing.Length > 0)
            Fail($"{missing.Length} image{(missing.Length == 1 ? " has" : "s have")} no row: {string.Join(", ", missing.Take(5))}{(missing.Length > 5 ? ", …" : "")}");
        var known = new HashSet<string>(files, StringComparer.Ordinal);
        var unknown = rows.Keys.Where(k => !known.Contains(k)).ToArray();
        if (unknown.Length > 0)
            Fail($"{unknown.Length} row{(unknown.Length == 1 ? " names" : "s name")} no image in the folder: {string.Join(", ", unknown.Take(5))}{(unknown.Length > 5 ? ", …" : "")}");
        return (names, files.SelectMany(x => rows[x]).ToArray());
    }

    static void WriteHeader(Stream s, int count, int side, int channels, int[] skipped)
    {
        var header = new byte[HeaderBytes + 4 * skipped.Length];
        System.Text.Encoding.ASCII.GetBytes(Magic).CopyTo(header, 0);
        int[] fields = [count, side, side, channels, skipped.Length, .. skipped];
        for (int i = 0; i < fields.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8 + 4 * i), fields[i]);
        s.Write(header);
    }

    /// <summary>
    /// The entry's image count, channels, the rows left out and where the pixels start; null when it does not
    /// match (it is then made again).
    /// </summary>
    static (int Count, int Channels, int[] Skipped, long Offset)? ReadHeader(string path, int files, int side)
    {
        using var s = File.OpenRead(path);
        var h = new byte[HeaderBytes];
        if (s.ReadAtLeast(h, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes
            || System.Text.Encoding.ASCII.GetString(h, 0, 8) != Magic) return Drop(path, s);
        int Field(int i) => BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(8 + 4 * i));
        int n = Field(0), c = Field(3), k = Field(4);
        if (Field(1) != side || Field(2) != side || c is not (1 or 3) || k < 0 || n < 1 || n + k != files) return Drop(path, s);
        var list = new byte[4 * k];
        if (s.ReadAtLeast(list, list.Length, throwOnEndOfStream: false) < list.Length) return Drop(path, s);
        var skipped = Enumerable.Range(0, k).Select(i => BinaryPrimitives.ReadInt32LittleEndian(list.AsSpan(4 * i))).ToArray();
        long offset = HeaderBytes + list.Length;
        if (skipped.Any(i => i < 0 || i >= files) || s.Length - offset != (long)n * side * side * c) return Drop(path, s);
        return (n, c, skipped, offset);
    }

    static (int, int, int[], long)? Drop(string path, Stream open)
    {
        open.Dispose();
        try { File.Delete(path); } catch (IOException) { }
        return null;
    }
}
