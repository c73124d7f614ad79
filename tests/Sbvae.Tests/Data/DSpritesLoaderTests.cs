using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class DSpritesLoaderTests : IDisposable
{
    readonly TempDir tmp = new();
    readonly SmallDSprites small = new();
    public void Dispose() => tmp.Dispose();

    string Path(string name = "d.npz") => tmp.File(name);

    static string Fails(string path)
    {
        string msg = Assert.Throws<SbvaeException>(() => DSprites.Load(path)).Message;
        Assert.Contains(path, msg);
        Assert.DoesNotContain('\n', msg);
        return msg;
    }

    [Fact]
    public void RoundTripsImagesBitExactAndFactors()
    {
        var store = DSprites.Load(small.Write(Path()));
        Assert.Equal(small.Count, store.Count);
        Assert.Equal(SmallDSprites.Side, store.Side);
        Assert.Equal(SmallDSprites.GridSizes, store.Factors.Sizes);
        Assert.Equal(ImageDataset.DSpritesFactorNames, store.Factors.Names);
        Assert.Equal(SmallDSprites.Side * SmallDSprites.Side / 8, store.BytesPerImage);
        int pixels = SmallDSprites.Side * SmallDSprites.Side;
        var image = new byte[pixels];
        var classes = new long[6];
        var values = new double[6];
        for (int row = 0; row < store.Count; row++)
        {
            store.Image(row, image);
            Assert.Equal(small.Imgs.AsSpan(row * pixels, pixels).ToArray(), image);
            store.Factors.Classes(row, classes);
            store.Factors.Values(row, values);
            Assert.Equal(small.Classes.AsSpan(row * 6, 6).ToArray(), classes);
            Assert.Equal(small.Values.AsSpan(row * 6, 6).ToArray(), values);
            Assert.Equal(row, store.Factors.Row(classes));
        }
    }

    [Fact]
    public void SubsetBecomesAOneChannelImageDataset()
    {
        var store = DSprites.Load(small.Write(Path()));
        int[] rows = [0, 7, 100, small.Count - 1];
        var data = store.ToImageDataset(rows);
        int pixels = SmallDSprites.Side * SmallDSprites.Side;
        Assert.Equal((rows.Length, 1, 6), (data.Count, data.Channels, data.NumFactors));
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(small.Imgs.AsSpan(rows[i] * pixels, pixels).ToArray().Select(p => (byte)(p * 255)), data.Image(i).ToArray());
            Assert.Equal(small.Classes.AsSpan(rows[i] * 6, 6), data.Classes(i));
            Assert.Equal(small.Values.AsSpan(rows[i] * 6, 6), data.FactorValues.AsSpan(i * 6, 6));
        }
        var sampled = store.ToImageDataset(20, seed: 4);
        Assert.Equal(20, sampled.Count);
        Assert.Equal(store.ToImageDataset(20, seed: 4).Pixels, sampled.Pixels);
    }

    [Theory]
    [InlineData("imgs")]
    [InlineData("latents_values")]
    [InlineData("latents_classes")]
    public void MissingArray(string name)
    {
        string msg = Fails(small.Write(Path(), a => a.Remove(name)));
        Assert.Contains($"missing array '{name}'", msg);
    }

    [Theory]
    [InlineData("imgs", "uint8")]
    [InlineData("latents_values", "floating point")]
    [InlineData("latents_classes", "integers")]
    public void WrongDType(string name, string expected)
    {
        string msg = Fails(small.Write(Path(), a =>
        {
            var old = a[name];
            a[name] = name == "latents_values"
                ? NpyArray.FromInt64s(old.ToDoubles().Select(v => (long)Math.Round(v * 4)).ToArray(), old.Shape)
                : NpyArray.FromDoubles(old.ToDoubles(), old.Shape);
        }));
        Assert.Contains(expected, msg);
    }

    [Fact]
    public void ImagesNotSquare()
    {
        string msg = Fails(small.Write(Path(), a => a["imgs"] = NpyArray.FromBytes(small.Imgs, [small.Count, 32, 8])));
        Assert.Contains("square", msg);
    }

    [Fact]
    public void ImagesNot3D()
    {
        string msg = Fails(small.Write(Path(), a => a["imgs"] = NpyArray.FromBytes(small.Imgs, [small.Count, 16, 16, 1])));
        Assert.Contains("(N, H, W)", msg);
    }

    [Fact]
    public void LatentsWithFiveColumns()
    {
        string msg = Fails(small.Write(Path(), a => a["latents_values"] = NpyArray.FromDoubles(new double[small.Count * 5], [small.Count, 5])));
        Assert.Contains("(N, 6)", msg);
    }

    [Fact]
    public void ImageCountDiffersFromLatents()
    {
        int pixels = SmallDSprites.Side * SmallDSprites.Side;
        string msg = Fails(small.Write(Path(), a =>
            a["imgs"] = NpyArray.FromBytes(small.Imgs[..^pixels], [small.Count - 1, SmallDSprites.Side, SmallDSprites.Side])));
        Assert.Contains($"{small.Count - 1} images", msg);
    }

    [Fact]
    public void RowCountIsNotTheProductOfClassCounts()
    {
        int n = small.Count - 1, pixels = SmallDSprites.Side * SmallDSprites.Side;
        string msg = Fails(small.Write(Path(), a =>
        {
            a["imgs"] = NpyArray.FromBytes(small.Imgs[..(n * pixels)], [n, SmallDSprites.Side, SmallDSprites.Side]);
            a["latents_values"] = NpyArray.FromDoubles(small.Values[..(n * 6)], [n, 6]);
            a["latents_classes"] = NpyArray.FromInt64s(small.Classes[..(n * 6)], [n, 6]);
        }));
        Assert.Contains("1×3×2×2×4×4 = 192", msg);
    }

    [Fact]
    public void RowsOutOfCOrder()
    {
        var classes = (long[])small.Classes.Clone();
        for (int j = 0; j < 6; j++) (classes[6 + j], classes[12 + j]) = (classes[12 + j], classes[6 + j]);
        string msg = Fails(small.Write(Path(), a => a["latents_classes"] = NpyArray.FromInt64s(classes, [small.Count, 6])));
        Assert.Contains("row 1", msg);
        Assert.Contains("C order", msg);
    }

    [Fact]
    public void NegativeClass()
    {
        var classes = (long[])small.Classes.Clone();
        classes[5 * 6 + 2] = -1;
        Assert.Contains("negative scale class", Fails(small.Write(Path(), a => a["latents_classes"] = NpyArray.FromInt64s(classes, [small.Count, 6]))));
    }

    [Fact]
    public void OneClassWithTwoValues()
    {
        var values = (double[])small.Values.Clone();
        values[10 * 6 + 3] += 0.001;
        string msg = Fails(small.Write(Path(), a => a["latents_values"] = NpyArray.FromDoubles(values, [small.Count, 6])));
        Assert.Contains("orientation class", msg);
        Assert.Contains("row 10", msg);
    }

    [Fact]
    public void NonBinaryPixels()
    {
        var imgs = (byte[])small.Imgs.Clone();
        imgs[3 * 256 + 17] = 255;
        string msg = Fails(small.Write(Path(), a => a["imgs"] = NpyArray.FromBytes(imgs, [small.Count, 16, 16])));
        Assert.Contains("only 0 and 1", msg);
        Assert.Contains("image 3", msg);
    }

    [Fact]
    public void TruncatedFile()
    {
        string path = small.Write(Path());
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..(all.Length * 6 / 10)]);
        Assert.Contains("truncated", Fails(path));
    }

    [Fact]
    public void TruncatedImagesMember()
    {
        string path = small.Write(Path());
        SmallDSprites.RewriteMember(path, "imgs", npy => npy[..^100]);
        string msg = Fails(path);
        Assert.Contains("array 'imgs'", msg);
        Assert.Contains("bytes", msg);
    }

    [Fact]
    public void CorruptDeflatedImages()
    {
        string path = small.Write(Path());
        byte[] all = File.ReadAllBytes(path);
        // imgs is the first member: its deflate stream starts after the local header, name and extra field.
        int start = 30 + BitConverter.ToUInt16(all, 26) + BitConverter.ToUInt16(all, 28);
        Assert.Equal("imgs.npy", System.Text.Encoding.ASCII.GetString(all, 30, BitConverter.ToUInt16(all, 26)));
        all[start] = 0xFF; // reserved block type 3: no decoder accepts it
        File.WriteAllBytes(path, all);
        Assert.Contains("array 'imgs'", Fails(path));
    }

    [Fact]
    public void MissingFile() => Assert.Contains("not found", Fails(Path("absent.npz")));
}
