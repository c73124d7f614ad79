using Sbvae.Data;

namespace Sbvae.Tests.CliTests;

/// <summary>`sbvae generate` with the new shapes, rotations and random sampling writes what the generator makes.</summary>
public class GenerateCommandTests
{
    [Fact]
    public void SampledRotatedShapesRoundTripThroughTheNpz()
    {
        string path = Path.Combine(TestData.TempDir("generate"), "sampled.npz");
        var r = Cli.Run("generate", "--num-pos", "4", "--shapes", "triangle,heart,square", "--sizes", "2,6",
            "--colors", "red", "--rotations", "0, 45,-90", "--samples", "40", "--sample-seed", "5", "--img-size", "32", "--out", path);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("rotation", r.Out);
        var loaded = ImageDataset.Load(path);
        var expected = SpriteGenerator.Generate(new SpriteSpec
        {
            NumPos = 4, Shapes = ["triangle", "heart", "square"], Sizes = [2, 6], Colors = ["red"],
            Rotations = [0, 45, -90], Samples = 40, SampleSeed = 5, ImgSize = 32,
        });
        Assert.Equal(40, loaded.Count);
        Assert.Equal(["x", "y", "shape", "size", "color", "rotation"], loaded.FactorNames);
        Assert.Equal(expected.FactorClasses, loaded.FactorClasses);
        Assert.Equal(expected.FactorValues, loaded.FactorValues);
        Assert.Equal(expected.Pixels, loaded.Pixels);
    }
}
