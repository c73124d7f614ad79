using Sbvae.Data;
using SkiaSharp;

namespace Sbvae.Tests.Data;

public class ImageFolderTests
{
    static void WriteImage(string path, int w, int h, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        bitmap.Erase(color);
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A 24-bit BMP of one grey level (Skia decodes BMP but does not encode it).</summary>
    static void WriteBmp(string path, int w, int h, byte grey)
    {
        int stride = (3 * w + 3) / 4 * 4;
        var b = new byte[54 + stride * h];
        void I32(int at, int v) => BitConverter.TryWriteBytes(b.AsSpan(at), v);
        b[0] = (byte)'B'; b[1] = (byte)'M';
        I32(2, b.Length); I32(10, 54); I32(14, 40); I32(18, w); I32(22, h);
        b[26] = 1; b[28] = 24;
        I32(34, stride * h);
        for (int y = 0; y < h; y++) b.AsSpan(54 + y * stride, 3 * w).Fill(grey);
        File.WriteAllBytes(path, b);
    }

    /// <summary>PNGs of mixed sizes in a subfolder, a JPEG, an RGBA PNG, a text file and factors.csv.</summary>
    static void WriteFolder(string dir, bool factors = true)
    {
        WriteImage(Path.Combine(dir, "sub", "a.png"), 100, 60, new SKColor(255, 0, 0));
        WriteImage(Path.Combine(dir, "sub", "b.png"), 30, 30, new SKColor(0, 0, 255));
        WriteImage(Path.Combine(dir, "c.jpg"), 80, 80, new SKColor(0, 255, 0), SKEncodedImageFormat.Jpeg);
        WriteImage(Path.Combine(dir, "d.png"), 64, 64, new SKColor(200, 100, 50, 128));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
        if (factors)
            File.WriteAllText(Path.Combine(dir, "factors.csv"), "file,shape,size\nsub/b.png,2,0\nc.jpg,1,1\nsub/a.png,0,3\nd.png,1,2\n");
    }

    static byte[] Pixel(ImageDataset data, int row, int x, int y) =>
        data.Image(row).Slice((y * data.Width + x) * data.Channels, data.Channels).ToArray();

    [Fact]
    public void Folder_is_read_in_sorted_order_with_factors_and_alpha_over_black()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir);
        var data = ImageFolder.Load(dir, new DatasetCache(tmp.File("cache")));

        Assert.Equal(["c.jpg", "d.png", "sub/a.png", "sub/b.png"], ImageFolder.List(dir));
        Assert.Equal((4, 64, 64, 3), (data.Count, data.Height, data.Width, data.Channels));
        Assert.Equal(["shape", "size"], data.FactorNames);
        Assert.Equal([1L, 1, 1, 2, 0, 3, 2, 0], data.FactorClasses);
        Assert.Equal([3, 4], data.FactorSizes);

        var green = Pixel(data, 0, 32, 32);
        Assert.True(green[0] < 10 && green[1] > 245 && green[2] < 10, string.Join(",", green));
        // (200, 100, 50) at alpha 128 over black.
        var rgba = Pixel(data, 1, 10, 50);
        Assert.InRange(rgba[0], 98, 102);
        Assert.InRange(rgba[1], 48, 52);
        Assert.InRange(rgba[2], 23, 27);
        Assert.Equal([255, 0, 0], Pixel(data, 2, 0, 0));
        Assert.Equal([255, 0, 0], Pixel(data, 2, 63, 63));
        Assert.Equal([0, 0, 255], Pixel(data, 3, 32, 32));
    }

    [Fact]
    public void Crop_is_centred_and_square()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        Directory.CreateDirectory(dir);
        // 384×128: left third red, middle white, right third blue; the centre crop is the white square
        // (so the dataset is greyscale: no red or blue reaches it).
        var info = new SKImageInfo(384, 128, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var bitmap = new SKBitmap(info))
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var red = new SKPaint { Color = SKColors.Red };
            using var blue = new SKPaint { Color = SKColors.Blue };
            canvas.DrawRect(0, 0, 128, 128, red);
            canvas.DrawRect(256, 0, 128, 128, blue);
            canvas.Flush();
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(dir, "wide.png"), png.ToArray());
        }
        var data = ImageFolder.Load(dir, new DatasetCache(tmp.File("cache")));
        Assert.Equal(1, data.Channels);
        Assert.Equal([255], Pixel(data, 0, 0, 0));
        Assert.Equal([255], Pixel(data, 0, 63, 32));
    }

    /// <summary>A JPEG whose pixels have the left half red, the right half blue, tagged EXIF orientation 6 (turn 90° clockwise).</summary>
    static void WriteRotatedJpeg(string path)
    {
        var info = new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(0, 0, 32, 64, red);
        }
        byte[] jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95).ToArray();
        // APP1 "Exif": big-endian TIFF header, one IFD entry: Orientation (0x0112), SHORT, 1, value 6.
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
        byte[] body = [.. "Exif\0\0"u8, .. tiff];
        byte[] app1 = [0xFF, 0xE1, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2), .. body];
        File.WriteAllBytes(path, [.. jpeg[..2], .. app1, .. jpeg[2..]]);
    }

    /// <summary>A 16-bit RGB PNG of one colour, written by hand (Skia encodes 8 bits).</summary>
    static void WritePng16(string path, int w, int h, ushort r, ushort g, ushort b)
    {
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);
            for (int x = 0; x < w; x++)
                foreach (ushort v in new[] { r, g, b }) { raw.WriteByte((byte)(v >> 8)); raw.WriteByte((byte)v); }
        }
        var z = new MemoryStream();
        using (var zs = new System.IO.Compression.ZLibStream(z, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            raw.WriteTo(zs);
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        void Chunk(string type, byte[] data)
        {
            var len = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
            png.Write(len);
            byte[] td = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            png.Write(td);
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(td));
            png.Write(crc);
        }
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 16; ihdr[9] = 2;
        Chunk("IHDR", ihdr);
        Chunk("IDAT", z.ToArray());
        Chunk("IEND", []);
        File.WriteAllBytes(path, png.ToArray());
    }

    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    [Fact]
    public void Exif_orientation_is_applied_and_16_bit_is_reduced_to_8()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        Directory.CreateDirectory(dir);
        WriteRotatedJpeg(Path.Combine(dir, "a_rotated.jpg"));
        WritePng16(Path.Combine(dir, "b_deep.png"), 20, 20, 0x8080, 0x4040, 0xFFFF);
        var data = ImageFolder.Load(dir, new DatasetCache(tmp.File("cache")));
        // Upright, the red half is on top.
        var top = Pixel(data, 0, 32, 8);
        var bottom = Pixel(data, 0, 32, 56);
        Assert.True(top[0] > 200 && top[2] < 60, $"top {string.Join(",", top)}");
        Assert.True(bottom[2] > 200 && bottom[0] < 60, $"bottom {string.Join(",", bottom)}");
        Assert.Equal([128, 64, 255], Pixel(data, 1, 10, 10));
    }

    [Fact]
    public void Grey_images_without_factors_load_as_one_channel_without_factors()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("grey");
        WriteImage(Path.Combine(dir, "x.png"), 40, 40, new SKColor(90, 90, 90));
        WriteBmp(Path.Combine(dir, "y.bmp"), 70, 50, 10);
        var data = ImageFolder.Load(dir, new DatasetCache(tmp.File("cache")));
        Assert.Equal(1, data.Channels);
        Assert.Equal(0, data.NumFactors);
        Assert.Equal([90], Pixel(data, 0, 5, 5));
        Assert.Equal([10], Pixel(data, 1, 63, 0));
    }

    [Fact]
    public void Unreadable_images_stop_the_load_in_one_line_naming_them()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir, factors: false);
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "sub", "a.png"));
        File.WriteAllBytes(Path.Combine(dir, "sub", "broken.png"), png[..(png.Length / 2)]);
        File.WriteAllText(Path.Combine(dir, "garbage.webp"), "not a webp");
        var e = Assert.Throws<SbvaeException>(() => ImageFolder.Load(dir, new DatasetCache(tmp.File("cache"))));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("2 images could not be read", e.Message);
        Assert.Contains("garbage.webp", e.Message);
        Assert.Contains("sub/broken.png", e.Message);
        Assert.Empty(Directory.Exists(tmp.File("cache")) ? Directory.GetFiles(tmp.File("cache")) : []);
    }

    [Fact]
    public void Decoded_pixels_are_cached_and_reused()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir);
        var cache = new DatasetCache(tmp.File("cache"));
        int before = ImageFolder.Decoded;
        var first = ImageFolder.Load(dir, cache);
        Assert.Equal(4, ImageFolder.Decoded - before);
        Assert.Single(Directory.GetFiles(cache.Dir, "*.imgs"));

        var second = DatasetStores.Open(dir, cache);
        Assert.Equal(4, ImageFolder.Decoded - before);
        var again = Assert.IsType<ImageDataset>(second);
        Assert.Equal(first.Pixels, again.Pixels);
        Assert.Equal(first.FactorClasses, again.FactorClasses);

        // A damaged entry is made again.
        string entry = Directory.GetFiles(cache.Dir, "*.imgs")[0];
        File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..100]);
        Assert.Equal(first.Pixels, ImageFolder.Load(dir, cache).Pixels);
        Assert.Equal(8, ImageFolder.Decoded - before);
        Assert.Equal(first.Pixels, ImageFolder.Load(dir, cache).Pixels);
        Assert.Equal(8, ImageFolder.Decoded - before);

        // A changed image makes a new entry.
        WriteImage(Path.Combine(dir, "sub", "b.png"), 30, 30, new SKColor(0, 0, 200));
        File.SetLastWriteTimeUtc(Path.Combine(dir, "sub", "b.png"), DateTime.UtcNow.AddMinutes(1));
        var third = ImageFolder.Load(dir, cache);
        Assert.Equal(12, ImageFolder.Decoded - before);
        Assert.Equal(2, Directory.GetFiles(cache.Dir, "*.imgs").Length);
        Assert.Equal([0, 0, 200], Pixel(third, 3, 32, 32));
    }

    [Fact]
    public void Factors_csv_must_cover_every_image()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir, factors: false);
        File.WriteAllText(Path.Combine(dir, "factors.csv"), "file,shape\nc.jpg,1\nd.png,x\n");
        var e = Assert.Throws<SbvaeException>(() => ImageFolder.Load(dir, new DatasetCache(tmp.File("cache"))));
        Assert.Contains("'x' is not a non-negative integer", e.Message);
        File.WriteAllText(Path.Combine(dir, "factors.csv"), "file,shape\nc.jpg,1\nd.png,0\n");
        e = Assert.Throws<SbvaeException>(() => ImageFolder.Load(dir, new DatasetCache(tmp.File("cache"))));
        Assert.Contains("2 images have no row: sub/a.png, sub/b.png", e.Message);
    }

    [Fact]
    public void Img_size_and_channels_reshape_the_images()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir);
        var cache = new DatasetCache(tmp.File("cache"));
        var small = ImageFolder.Load(dir, cache, new ImageFolderSettings(Size: 32));
        Assert.Equal((4, 32, 32, 3), (small.Count, small.Height, small.Width, small.Channels));
        Assert.Equal([255, 0, 0], Pixel(small, 2, 31, 31));
        var grey = ImageFolder.Load(dir, cache, new ImageFolderSettings(Channels: 1));
        Assert.Equal(1, grey.Channels);
        // Luma of pure red and pure blue.
        Assert.Equal([(byte)((299 * 255 + 500) / 1000)], Pixel(grey, 2, 10, 10));
        Assert.Equal([(byte)((114 * 255 + 500) / 1000)], Pixel(grey, 3, 10, 10));
        Assert.Equal(2, Directory.GetFiles(cache.Dir, "*.imgs").Length);

        string greyDir = tmp.File("grey");
        WriteImage(Path.Combine(greyDir, "x.png"), 40, 40, new SKColor(90, 90, 90));
        var rgb = ImageFolder.Load(greyDir, cache, new ImageFolderSettings(Channels: 3));
        Assert.Equal(3, rgb.Channels);
        Assert.Equal([90, 90, 90], Pixel(rgb, 0, 5, 5));
        Assert.Contains("multiple of 16", Assert.Throws<SbvaeException>(() => ImageFolder.Load(dir, cache, new ImageFolderSettings(Size: 40))).Message);
        Assert.Contains("1 or 3", Assert.Throws<SbvaeException>(() => ImageFolder.Load(dir, cache, new ImageFolderSettings(Channels: 2))).Message);
    }

    [Fact]
    public void Skip_bad_images_leaves_them_out_and_keeps_the_others_factors()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir, factors: false);
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "sub", "a.png"));
        File.WriteAllBytes(Path.Combine(dir, "sub", "broken.png"), png[..(png.Length / 2)]);
        File.WriteAllText(Path.Combine(dir, "factors.csv"), "file,shape\nc.jpg,0\nd.png,1\nsub/a.png,2\nsub/b.png,3\nsub/broken.png,4\n");
        var cache = new DatasetCache(tmp.File("cache"));
        var e = Assert.Throws<SbvaeException>(() => ImageFolder.Load(dir, cache));
        Assert.Contains("1 image could not be read: sub/broken.png (--skip-bad-images leaves them out)", e.Message);

        var settings = new ImageFolderSettings(SkipBadImages: true);
        int before = ImageFolder.Decoded;
        var data = ImageFolder.Load(dir, cache, settings);
        Assert.Equal(5, ImageFolder.Decoded - before);
        Assert.Equal(4, data.Count);
        Assert.Equal([0L, 1, 2, 3], data.FactorClasses);
        Assert.Equal([0, 0, 255], Pixel(data, 3, 32, 32));
        // The entry remembers which were left out: nothing is decoded again.
        var again = ImageFolder.Load(dir, cache, settings);
        Assert.Equal(5, ImageFolder.Decoded - before);
        Assert.Equal(data.Pixels, again.Pixels);
        Assert.Equal(data.FactorClasses, again.FactorClasses);
    }

    [Fact]
    public async Task Two_processes_building_one_entry_at_once_leave_one_valid_entry()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir);
        string cacheDir = tmp.File("cache");
        using var start = new Barrier(2);
        var built = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            return ImageFolder.Load(dir, new DatasetCache(cacheDir));
        }, TestContext.Current.CancellationToken)).ToArray();
        var sets = await Task.WhenAll(built);
        Assert.Equal(sets[0].Pixels, sets[1].Pixels);
        Assert.Single(Directory.GetFiles(cacheDir, "*.imgs"));
        Assert.Empty(Directory.GetFiles(cacheDir, ".*"));
        Assert.Equal(sets[0].Pixels, ImageFolder.Load(dir, new DatasetCache(cacheDir)).Pixels);
    }

    [Fact]
    public void A_folder_larger_than_memory_is_read_from_its_cache_in_chunks()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("images");
        WriteFolder(dir);
        var cache = new DatasetCache(tmp.File("cache"));
        var inMemory = ImageFolder.Load(dir, cache);
        using var chunked = Assert.IsType<ChunkedImageFile>(ImageFolder.Open(dir, null, cache, inMemoryBytes: 0));
        long[] all = [3, 0, 2, 1, 3];
        var expected = new float[all.Length * 3 * 64 * 64];
        var actual = new float[expected.Length];
        inMemory.Gather(all, expected);
        chunked.Gather(all, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(inMemory.FactorSizes, chunked.FactorSizes);
    }
}
