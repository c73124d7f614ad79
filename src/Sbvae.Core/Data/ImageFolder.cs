using System.Buffers.Binary;
using System.Globalization;
using SkiaSharp;

namespace Sbvae.Data;

/// <summary>
/// A folder of PNG, JPEG, BMP and WebP files (found recursively, in ordinal order of their relative
/// paths) as an in-memory <see cref="ImageDataset"/>: each decoded with SkiaSharp, turned upright by its
/// EXIF orientation, alpha composited over black, reduced to 8 bits, centre-cropped to a square and
/// resized to <see cref="Size"/>×<see cref="Size"/>. Greyscale (1 channel) when every image is grey, else RGB.
/// An optional <c>factors.csv</c> (header <c>file,&lt;factor&gt;,…</c>; integer classes per relative path)
/// gives the factors; without it the dataset has none. Decoded pixels are kept in the
/// <see cref="DatasetCache"/>, keyed by the file list with sizes and modification times.
/// </summary>
public static class ImageFolder
{
    public const int Size = 64;
    public const string FactorsFile = "factors.csv";
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>Images decoded so far in this process (tests use it to see the cache being reused).</summary>
    internal static int Decoded;

    const string Magic = "SBVIMG1\n";
    const int HeaderBytes = 8 + 4 * 4;

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Relative paths ('/'-separated) of the images under <paramref name="dir"/>, in ordinal order.</summary>
    public static string[] List(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(IsImage)
            .Select(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

    public static ImageDataset Load(string dir, DatasetCache? cache = null)
    {
        cache ??= new DatasetCache();
        string full = Path.GetFullPath(dir);
        string[] files = List(full);
        if (files.Length == 0)
            throw new SbvaeException($"'{dir}' holds no images ({string.Join(", ", Extensions)})");
        var (names, classes) = ReadFactors(full, files);

        var key = new System.Text.StringBuilder($"image-folder v1|size={Size}|channels=auto|{full}\n");
        foreach (string f in files)
        {
            var info = new FileInfo(Path.Combine(full, f));
            key.Append(f).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        string entry = cache.PathFor(key.ToString(), ".imgs");
        var cached = File.Exists(entry) ? ReadEntry(entry, files.Length) : null;
        if (cached is null)
        {
            var (pixels, channels) = DecodeAll(dir, full, files);
            entry = cache.GetOrCreate(key.ToString(), ".imgs", s => WriteEntry(s, files.Length, channels, pixels));
            cached = (pixels, channels);
        }
        var values = classes.Select(c => (double)c).ToArray();
        return new ImageDataset(files.Length, Size, Size, cached.Value.Channels, cached.Value.Pixels, names, values, classes);
    }

    static (byte[] Pixels, int Channels) DecodeAll(string dir, string full, string[] files)
    {
        const int rgbBytes = Size * Size * 3;
        var rgb = new byte[(long)files.Length * rgbBytes];
        var failed = new bool[files.Length];
        Parallel.For(0, files.Length, i =>
        {
            failed[i] = !Decode(Path.Combine(full, files[i]), rgb.AsSpan(i * rgbBytes, rgbBytes));
            Interlocked.Increment(ref Decoded);
        });
        var bad = files.Where((_, i) => failed[i]).ToArray();
        if (bad.Length > 0)
            throw new SbvaeException($"'{dir}': {bad.Length} image{(bad.Length == 1 ? "" : "s")} could not be read: " +
                string.Join(", ", bad.Take(5)) + (bad.Length > 5 ? ", …" : ""));

        bool grey = true;
        for (int p = 0; p < rgb.Length && grey; p += 3)
            grey = rgb[p] == rgb[p + 1] && rgb[p] == rgb[p + 2];
        if (!grey) return (rgb, 3);
        var one = new byte[rgb.Length / 3];
        for (int p = 0; p < one.Length; p++) one[p] = rgb[3 * p];
        return (one, 1);
    }

    /// <summary>Writes one image as Size×Size RGB bytes; false when it cannot be decoded whole.</summary>
    internal static bool Decode(string path, Span<byte> rgb)
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
        var sampling = side > Size ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : side < Size ? new SKSamplingOptions(SKCubicResampler.Mitchell) : new SKSamplingOptions(SKFilterMode.Nearest);
        var outInfo = new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var scaled = new SKBitmap(outInfo);
        using (var pixmap = scaled.PeekPixels())
            if (!square.ScalePixels(pixmap, sampling)) return false;
        var rgba = scaled.GetPixelSpan();
        for (int p = 0; p < Size * Size; p++)
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

    static void WriteEntry(Stream s, int count, int channels, byte[] pixels)
    {
        var header = new byte[HeaderBytes];
        System.Text.Encoding.ASCII.GetBytes(Magic).CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), Size);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), Size);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), channels);
        s.Write(header);
        s.Write(pixels);
    }

    /// <summary>The cached pixels, or null when the entry does not match (it is then made again).</summary>
    static (byte[] Pixels, int Channels)? ReadEntry(string path, int count)
    {
        byte[] pixels;
        int c;
        using (var s = File.OpenRead(path))
        {
            var h = new byte[HeaderBytes];
            if (s.ReadAtLeast(h, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes
                || System.Text.Encoding.ASCII.GetString(h, 0, 8) != Magic) return Drop(path, s);
            int n = BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(8)), height = BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(12)),
                width = BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(16));
            c = BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(20));
            long bytes = (long)n * Size * Size * c;
            if (n != count || height != Size || width != Size || c is not (1 or 3) || s.Length - HeaderBytes != bytes)
                return Drop(path, s);
            pixels = new byte[bytes];
            s.ReadExactly(pixels);
        }
        return (pixels, c);
    }

    static (byte[], int)? Drop(string path, Stream open)
    {
        open.Dispose();
        try { File.Delete(path); } catch (IOException) { }
        return null;
    }
}
