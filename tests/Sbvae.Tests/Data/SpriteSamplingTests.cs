using Sbvae.Data;

namespace Sbvae.Tests.Data;

/// <summary>The rotation factor and random sampling of factor classes instead of the full grid.</summary>
public class SpriteSamplingTests
{
    static SpriteSpec Small(int samples = 0, int seed = 0, double[]? rotations = null) => new()
    {
        NumPos = 3, Shapes = ["square", "triangle"], Sizes = [3, 5], Colors = ["red", "white"],
        Rotations = rotations ?? [0, 30, 90], ImgSize = 16, Samples = samples, SampleSeed = seed,
    };

    [Fact]
    public void RotationIsAFactorOnlyWhenItVaries()
    {
        Assert.Equal(["x", "y", "shape", "size", "color"], SpriteGenerator.Generate(Small(rotations: [0])).FactorNames);
        Assert.Equal(["x", "y", "shape", "size", "color"], SpriteGenerator.Generate(Small(rotations: [45])).FactorNames);
        Assert.Equal(["x", "y", "shape", "size", "color", "rotation"], SpriteGenerator.Generate(Small()).FactorNames);
        Assert.Equal(["x", "y", "shape", "size", "color"], SpriteGenerator.Generate(new SpriteSpec { NumPos = 2 }).FactorNames);
    }

    [Fact]
    public void DefaultRotationLeavesTheGridUnchanged()
    {
        var spec = Small(rotations: [0]);
        var d = SpriteGenerator.Generate(spec);
        Assert.Equal(3 * 3 * 2 * 2 * 2, d.Count);
        Assert.Equal([0L, 0, 0, 0, 1], d.Classes(1).ToArray());
        Assert.Equal([0L, 0, 0, 1, 0], d.Classes(2).ToArray());
    }

    [Fact]
    public void SingleNonZeroRotationTurnsEveryImage()
    {
        var plain = SpriteGenerator.Generate(Small(rotations: [0]));
        var turned = SpriteGenerator.Generate(Small(rotations: [45]));
        Assert.Equal(plain.FactorClasses, turned.FactorClasses);
        Assert.NotEqual(plain.Pixels, turned.Pixels);
    }

    [Fact]
    public void RotationVariesInnermostWithDegreesAsValues()
    {
        var d = SpriteGenerator.Generate(Small());
        Assert.Equal(3 * 3 * 2 * 2 * 2 * 3, d.Count);
        Assert.Equal([0L, 0, 0, 0, 0, 1], d.Classes(1).ToArray());
        Assert.Equal([0L, 0, 0, 0, 1, 0], d.Classes(3).ToArray());
        Assert.Equal(30.0, d.FactorValues[1 * 6 + 5]);
        Assert.Equal(90.0, d.FactorValues[2 * 6 + 5]);
        Assert.Equal([3, 3, 2, 2, 2, 3], d.FactorSizes);
        var image = new byte[16 * 16 * 3];
        SpriteGenerator.Render(image, Small(), 0, 0, 1, 1, 0, 2);
        Assert.Equal(d.Image(d.IndexOf([0, 0, 1, 1, 0, 2])).ToArray(), image);
    }

    [Fact]
    public void SamplingGivesTheRequestedCountAndIsDeterministicPerSeed()
    {
        var a = SpriteGenerator.Generate(Small(samples: 50, seed: 7));
        var b = SpriteGenerator.Generate(Small(samples: 50, seed: 7));
        var c = SpriteGenerator.Generate(Small(samples: 50, seed: 8));
        Assert.Equal(50, a.Count);
        Assert.Equal(50 * 16 * 16 * 3, a.Pixels.Length);
        Assert.Equal(a.FactorClasses, b.FactorClasses);
        Assert.Equal(a.FactorValues, b.FactorValues);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.FactorClasses, c.FactorClasses);
        Assert.Equal(a.FactorNames, SpriteGenerator.Generate(Small()).FactorNames);
    }

    [Fact]
    public void SamplesMayExceedTheGrid()
    {
        var spec = Small(samples: 1000, seed: 1);
        Assert.Equal(1000, spec.Count);
        Assert.Equal(1000, SpriteGenerator.Generate(spec).Count);
    }

    [Fact]
    public void SampledRowsCoverEveryClassAndMatchTheirImages()
    {
        var spec = Small(samples: 300, seed: 3);
        var d = SpriteGenerator.Generate(spec);
        int[] gridSizes = [3, 3, 2, 2, 2, 3];
        Assert.Equal(gridSizes, d.FactorSizes);
        double[] pos = SpriteGenerator.Linspace(3);
        var seen = gridSizes.Select(n => new HashSet<long>()).ToArray();
        var image = new byte[16 * 16 * 3];
        for (int i = 0; i < d.Count; i++)
        {
            long[] c = d.Classes(i).ToArray();
            for (int j = 0; j < 6; j++)
            {
                Assert.InRange(c[j], 0, gridSizes[j] - 1);
                seen[j].Add(c[j]);
            }
            double[] want = [pos[c[0]], pos[c[1]], c[2], spec.Sizes[(int)c[3]], c[4], spec.Rotations[(int)c[5]]];
            Assert.Equal(want, d.FactorValues[(i * 6)..(i * 6 + 6)]);
            SpriteGenerator.Render(image, spec, (int)c[0], (int)c[1], (int)c[2], (int)c[3], (int)c[4], (int)c[5]);
            Assert.Equal(image, d.Image(i).ToArray());
        }
        for (int j = 0; j < 6; j++) Assert.Equal(gridSizes[j], seen[j].Count);
        // Independent uniform draws, not the grid order: x is not sorted.
        var xs = Enumerable.Range(0, d.Count).Select(i => d.Classes(i)[0]).ToArray();
        Assert.NotEqual(xs.Order(), xs);
    }

    [Theory]
    [InlineData(-1, new double[] { 0 }, "samples")]
    [InlineData(0, new double[] { }, "at least one")]
    [InlineData(0, new double[] { 0, double.NaN }, "rotation NaN")]
    [InlineData(0, new double[] { 0, 360 }, "rotation 360")]
    [InlineData(0, new double[] { -400 }, "-400")]
    [InlineData(0, new double[] { 0, 90, -270 }, "not repeat")]
    [InlineData(0, new double[] { 45, 45 }, "not repeat")]
    public void ValidateRejectsBadSamplesAndRotations(int samples, double[] rotations, string message)
    {
        var spec = Small(samples: samples, rotations: rotations);
        var e = Assert.Throws<SbvaeException>(spec.Validate);
        Assert.Contains(message, e.Message);
    }
}
