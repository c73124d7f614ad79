using Sbvae.Data;
using Sbvae.Tests.Data;

namespace Sbvae.Tests.CliTests;

public class GeneratePresetTests : IDisposable
{
    readonly string root = TestData.TempDir("preset");
    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    Cli.Result Ok(params string[] args)
    {
        var r = Cli.Run(args);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Err}");
        return r;
    }

    [Fact]
    public void DSpritesLikeWritesASeededOneChannelSubset()
    {
        string a = Path.Combine(root, "a.npz"), b = Path.Combine(root, "b.npz"), png = Path.Combine(root, "a.png");
        Ok("generate", "--preset", "dsprites-like", "--count", "40", "--seed", "3", "--out", a, "--preview", png);
        Ok("generate", "--preset", "dsprites-like", "--count", "40", "--seed", "3", "--out", b);
        var data = ImageDataset.Load(a);
        Assert.Equal((40, 64, 1), (data.Count, data.Height, data.Channels));
        Assert.Equal(ImageDataset.DSpritesFactorNames, data.FactorNames);
        Assert.All(data.Pixels, p => Assert.True(p is 0 or 255));
        Assert.Equal(data.Pixels, ImageDataset.Load(b).Pixels);
        Assert.True(new FileInfo(png).Length > 0);
        // The rows are the ones the seed picks out of the procedural grid.
        var like = new DSpritesLike(new DSpritesLikeSpec());
        var expected = like.ToImageDataset(40, seed: 3);
        Assert.Equal(expected.Pixels, data.Pixels);
        Assert.Equal(expected.FactorClasses, data.FactorClasses);
    }

    [Fact]
    public void ColoredSpritesFromAFile()
    {
        var small = new SmallDSprites();
        string file = small.Write(Path.Combine(root, "dsprites.npz")), outPath = Path.Combine(root, "c.npz");
        var r = Ok("generate", "--preset", "colored-sprites", "--dsprites", file, "--count", "25", "--out", outPath);
        Assert.Contains("25 of 192", r.Out);
        var data = ImageDataset.Load(outPath);
        Assert.Equal((25, 16, 3), (data.Count, data.Height, data.Channels));
        Assert.Equal(ColoredSprites.FactorNames, data.FactorNames);
        int[] rows = DSpritesSubsets.SampleRows(small.Count, 25, seed: 0);
        for (int i = 0; i < 25; i++)
            Assert.Equal(small.Classes.AsSpan(rows[i] * 6 + 1, 5).ToArray(), data.Classes(i)[..5].ToArray());
    }

    [Fact]
    public void CirclesStillGenerateWithoutAPreset()
    {
        string outPath = Path.Combine(root, "g.npz");
        Ok("generate", "--num-pos", "3", "--img-size", "16", "--sizes", "4", "--out", outPath);
        var data = ImageDataset.Load(outPath);
        Assert.Equal(27, data.Count);
        Assert.Equal(SpriteGenerator.FactorNames, data.FactorNames);
    }

    [Fact]
    public void ShapesLayoutWritesASmallGridThatTrainReads()
    {
        string h5 = Path.Combine(root, "s.h5");
        var r = Ok("generate", "--layout", "3dshapes", "--factor-sizes", "1,2,1,1,2,1", "--out", h5);
        Assert.Contains("wrote 4 3D Shapes-layout images", r.Out);
        var store = DatasetStores.Open(h5);
        Assert.Equal([1, 2, 1, 1, 2, 1], store.FactorSizes);
        var bad = Cli.Run("generate", "--layout", "3dshapes", "--factor-sizes", "1,2,x,1,1,1", "--out", h5);
        Assert.Equal((2, "sbvae: error: --factor-sizes: 'x' is not a whole number"), (bad.ExitCode, bad.Err.Trim()));
        bad = Cli.Run("generate", "--factor-sizes", "1,1,1,1,1,1", "--out", h5);
        Assert.Contains("--factor-sizes needs --layout 3dshapes", bad.Err);
    }
}
