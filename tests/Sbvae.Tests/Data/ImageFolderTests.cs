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

        // A changed image makes a new entry.
        WriteImage(Path.Combine(dir, "sub", "b.png"), 30, 30, new SKColor(0, 0, 200));
        File.SetLastWriteTimeUtc(Path.Combine(dir, "sub", "b.png"), DateTime.UtcNow.AddMinutes(1));
        var third = ImageFolder.Load(dir, cache);
        Assert.Equal(8, ImageFolder.Decoded - before);
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
}
