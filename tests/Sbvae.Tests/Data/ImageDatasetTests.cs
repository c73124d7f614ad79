using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class ImageDatasetTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    static ImageDataset Small() => SpriteGenerator.Generate(
        new SpriteSpec { NumPos = 3, Sizes = [4, 6], Colors = ["red", "#00ff00"], ImgSize = 16 });

    [Fact]
    public void SaveLoadRoundTrip()
    {
        var d = Small();
        string path = tmp.File("sub/small.npz");
        d.Save(path);
        Assert.Equal(["imgs", "latents_values", "latents_classes", "factor_names"], Npz.ArrayNames(path));
        Assert.Equal("<U5", Npz.ReadArray(path, "factor_names").DType);

        var back = ImageDataset.Load(path);
        Assert.Equal((d.Count, d.Height, d.Width, d.Channels), (back.Count, back.Height, back.Width, back.Channels));
        Assert.Equal(d.Pixels, back.Pixels);
        Assert.Equal(d.FactorNames, back.FactorNames);
        Assert.Equal(d.FactorValues, back.FactorValues);
        Assert.Equal(d.FactorClasses, back.FactorClasses);
        Assert.Equal([3, 3, 1, 2, 2], back.FactorSizes);
        Assert.Equal([0, 1, 3, 4], back.VaryingFactors);
    }

    [Fact]
    public void IndexOfFindsEveryRowByItsClasses()
    {
        var d = Small();
        for (int i = 0; i < d.Count; i++)
            Assert.Equal(i, d.IndexOf(d.Classes(i).ToArray()));
        Assert.Equal(-1, d.IndexOf([3, 0, 0, 0, 0]));
        Assert.Equal(-1, d.IndexOf([-1, 0, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => d.IndexOf([0, 0]));
    }

    [Fact]
    public void ConstructorChecksLengths()
    {
        Assert.Throws<ArgumentException>(() => new ImageDataset(2, 16, 16, 3, new byte[16 * 16 * 3], ["a"], [0, 1], [0, 1]));
        Assert.Throws<ArgumentException>(() => new ImageDataset(1, 16, 16, 3, new byte[16 * 16 * 3], ["a"], [0, 1], [0]));
        Assert.Throws<ArgumentException>(() => new ImageDataset(1, 16, 16, 2, new byte[16 * 16 * 2], ["a"], [0], [0]));
        Assert.Throws<ArgumentException>(() => new ImageDataset(1, 16, 16, 1, new byte[16 * 16], ["a"], [0], [-1]));
    }

    [Fact]
    public void MissingFactorNamesGetPlaceholders()
    {
        string path = tmp.File("nonames.npz");
        Npz.Write(path, new Dictionary<string, NpyArray>
        {
            ["imgs"] = NpyArray.FromBytes(new byte[2 * 16 * 16 * 3], [2, 16, 16, 3]),
            ["latents_values"] = NpyArray.FromFloats([0, 1], [2, 1]),
            ["latents_classes"] = NpyArray.FromInt32s([0, 1], [2, 1]),
        });
        var d = ImageDataset.Load(path);
        Assert.Equal(["factor0"], d.FactorNames);
        Assert.Equal([0.0, 1.0], d.FactorValues);
        Assert.Equal([2], d.FactorSizes);
    }

    // A miniature of the dSprites file: 0/1 masks (N, 64, 64) and six latent columns.
    static Dictionary<string, NpyArray> DSprites(int n = 3)
    {
        var imgs = new byte[n * 64 * 64];
        for (int i = 0; i < n; i++) imgs[i * 4096 + i * 65] = 1; // one lit pixel on the diagonal
        var values = new double[n * 6];
        var classes = new long[n * 6];
        for (int i = 0; i < n; i++)
        {
            classes[i * 6 + 4] = i; // posX
            values[i * 6 + 4] = i / 31.0;
            values[i * 6] = 1; // colour is always 1 (white) in dSprites
        }
        return new()
        {
            ["imgs"] = NpyArray.FromBytes(imgs, [n, 64, 64]),
            ["latents_values"] = NpyArray.FromDoubles(values, [n, 6]),
            ["latents_classes"] = NpyArray.FromInt64s(classes, [n, 6]),
        };
    }

    string Write(Dictionary<string, NpyArray> arrays)
    {
        string path = tmp.File(Guid.NewGuid().ToString("N") + ".npz");
        Npz.Write(path, arrays);
        return path;
    }

    [Fact]
    public void LoadsDSpritesLayout()
    {
        var d = ImageDataset.Load(Write(DSprites()));
        Assert.Equal((3, 64, 64, 1), (d.Count, d.Height, d.Width, d.Channels));
        Assert.Equal(["color", "shape", "scale", "orientation", "posX", "posY"], d.FactorNames);
        Assert.Equal(255, d.Pixels[1 * 4096 + 65]);
        Assert.Equal(3 * 255, d.Pixels.Sum(b => b));
        Assert.Equal([1, 1, 1, 1, 3, 1], d.FactorSizes);
        Assert.Equal([4], d.VaryingFactors);
        Assert.Equal(2, d.IndexOf([0, 0, 0, 0, 2, 0]));
    }

    [Fact]
    public void AcceptsOtherLatentDTypes()
    {
        var a = DSprites();
        a["latents_values"] = NpyArray.FromFloats(a["latents_values"].ToFloats(), [3, 6]);
        a["latents_classes"] = NpyArray.FromInt32s(a["latents_classes"].ToInt64s().Select(v => (int)v).ToArray(), [3, 6]);
        var d = ImageDataset.Load(Write(a));
        Assert.Equal([0L, 0, 0, 0, 2, 0], d.Classes(2).ToArray());
    }

    public static TheoryData<string, string> BrokenFiles => new()
    {
        { "no-imgs", "missing array 'imgs'" },
        { "no-classes", "missing array 'latents_classes'" },
        { "float-imgs", "imgs must be uint8, not <f4" },
        { "2d-imgs", "imgs must be (N,H,W,3) or dSprites-style (N,H,W), not (3, 4096)" },
        { "size-40", "image size 40 is not a multiple of 16" },
        { "not-square", "images must be square, not 64×48" },
        { "n-mismatch", "latents_values has 4 rows but imgs has 3 images" },
        { "1d-latents", "latents_classes must be 2-D" },
        { "fractional-classes", "latents_classes: value 0.5" },
        { "five-columns", "dSprites-style latents must have 6 columns, not 5" },
        { "value-2", "must hold only 0 and 1, found 2" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void RejectsBrokenFilesWithOneLineNamingTheFile(string variant, string problem)
    {
        var a = DSprites();
        switch (variant)
        {
            case "no-imgs": a.Remove("imgs"); break;
            case "no-classes": a.Remove("latents_classes"); break;
            case "float-imgs": a["imgs"] = NpyArray.FromFloats(new float[3 * 64 * 64], [3, 64, 64]); break;
            case "2d-imgs": a["imgs"] = NpyArray.FromBytes(new byte[3 * 64 * 64], [3, 4096]); break;
            case "size-40": a["imgs"] = NpyArray.FromBytes(new byte[3 * 40 * 40], [3, 40, 40]); break;
            case "not-square": a["imgs"] = NpyArray.FromBytes(new byte[3 * 64 * 48], [3, 64, 48]); break;
            case "n-mismatch": a["latents_values"] = NpyArray.FromDoubles(new double[24], [4, 6]); break;
            case "1d-latents": a["latents_classes"] = NpyArray.FromInt64s(new long[18]); break;
            case "fractional-classes": a["latents_classes"] = NpyArray.FromDoubles([.. new double[17], 0.5], [3, 6]); break;
            case "five-columns":
                a["latents_values"] = NpyArray.FromDoubles(new double[15], [3, 5]);
                a["latents_classes"] = NpyArray.FromInt64s(new long[15], [3, 5]);
                break;
            case "value-2": a["imgs"].Data[100] = 2; break;
        }
        string path = Write(a);
        var e = Assert.Throws<SbvaeException>(() => ImageDataset.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LoadOfMissingFileFails() =>
        Assert.Contains("not found", Assert.Throws<SbvaeException>(() => ImageDataset.Load(tmp.File("none.npz"))).Message);
}
