using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class ColoredSpritesTests
{
    static readonly DSpritesLike Small = new(new DSpritesLikeSpec { NumScales = 2, NumOrientations = 4, NumPositions = 5, ImgSize = 32 });

    [Fact]
    public void HsvToRgbKnownColours()
    {
        Assert.Equal(((byte)255, (byte)0, (byte)0), ColoredSprites.HsvToRgb(0, 1, 1));
        Assert.Equal(((byte)255, (byte)0, (byte)0), ColoredSprites.HsvToRgb(1, 1, 1));
        Assert.Equal(((byte)0, (byte)255, (byte)0), ColoredSprites.HsvToRgb(1 / 3.0, 1, 1));
        Assert.Equal(((byte)0, (byte)0, (byte)128), ColoredSprites.HsvToRgb(2 / 3.0, 1, 0.5));
        Assert.Equal(((byte)128, (byte)64, (byte)64), ColoredSprites.HsvToRgb(0, 0.5, 0.5));
        Assert.Equal(((byte)191, (byte)191, (byte)191), ColoredSprites.HsvToRgb(0.7, 0, 0.75));
    }

    [Fact]
    public void ImagesAreTheSourceMasksInOneDrawnColour()
    {
        const int count = 60, seed = 5;
        var data = ColoredSprites.Create(Small, count, seed);
        int[] rows = DSpritesSubsets.SampleRows(Small.Count, count, seed);
        Assert.Equal((count, 3, 32), (data.Count, data.Channels, data.Height));
        Assert.Equal(["shape", "scale", "orientation", "posX", "posY", "hue", "saturation", "value"], data.FactorNames);
        var mask = new byte[32 * 32];
        Span<long> classes = stackalloc long[6];
        Span<double> values = stackalloc double[6];
        for (int i = 0; i < count; i++)
        {
            var v = data.FactorValues.AsSpan(i * 8, 8);
            var c = data.Classes(i);
            Small.Image(rows[i], mask);
            Small.Factors.Classes(rows[i], classes);
            Small.Factors.Values(rows[i], values);
            Assert.Equal(classes[1..].ToArray(), c[..5].ToArray());
            Assert.Equal(values[1..].ToArray(), v[..5].ToArray());
            var (r, g, b) = ColoredSprites.HsvToRgb(v[5], v[6], v[7]);
            var img = data.Image(i);
            for (int p = 0; p < mask.Length; p++)
            {
                var expected = mask[p] == 1 ? (r, g, b) : ((byte)0, (byte)0, (byte)0);
                Assert.Equal(expected, (img[3 * p], img[3 * p + 1], img[3 * p + 2]));
            }
        }
    }

    [Fact]
    public void ColoursStayInTheDefaultRangeAndAreBinnedIntoTen()
    {
        var data = ColoredSprites.Create(Small, 400, seed: 2);
        var hues = new List<double>();
        for (int i = 0; i < data.Count; i++)
        {
            var v = data.FactorValues.AsSpan(i * 8, 8);
            var c = data.Classes(i);
            Assert.InRange(v[5], 0, 1); Assert.InRange(v[6], 0.5, 1); Assert.InRange(v[7], 0.5, 1);
            Assert.Equal((long)Math.Min(9, Math.Floor(v[5] * 10)), c[5]);
            Assert.Equal((long)Math.Min(9, Math.Floor((v[6] - 0.5) * 20)), c[6]);
            Assert.Equal((long)Math.Min(9, Math.Floor((v[7] - 0.5) * 20)), c[7]);
            hues.Add(v[5]);
        }
        // Drawn over the whole range, so all ten bins of each component occur in 400 samples.
        Assert.Equal([10, 10, 10], data.FactorSizes[5..]);
        Assert.True(hues.Min() < 0.05 && hues.Max() > 0.95);
    }

    [Fact]
    public void NarrowRangeGivesOnlyThoseColours()
    {
        var range = new HsvRange { HueMin = 0.25, HueMax = 0.35, SaturationMin = 0.9, SaturationMax = 1, ValueMin = 0.8, ValueMax = 0.9 };
        var data = ColoredSprites.Create(Small, 100, seed: 1, range);
        for (int i = 0; i < data.Count; i++)
        {
            var img = data.Image(i);
            int p = img.IndexOfAnyExcept((byte)0) / 3;
            double r = img[3 * p] / 255.0, g = img[3 * p + 1] / 255.0, b = img[3 * p + 2] / 255.0;
            double max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
            // Hue 0.25..0.35 is yellow-green to green: green is the largest channel.
            Assert.Equal(max, g);
            double hue = (2 + (b - r) / (max - min)) / 6;
            Assert.InRange(hue, 0.25 - 0.01, 0.35 + 0.01);
            Assert.InRange((max - min) / max, 0.9 - 0.01, 1);
            Assert.InRange(max, 0.8 - 0.003, 0.9 + 0.003);
        }
    }

    [Fact]
    public void SeededAndDeterministic()
    {
        var a = ColoredSprites.Create(Small, 30, seed: 7);
        Assert.Equal(a.Pixels, ColoredSprites.Create(Small, 30, seed: 7).Pixels);
        Assert.Equal(a.FactorValues, ColoredSprites.Create(Small, 30, seed: 7).FactorValues);
        Assert.NotEqual(a.FactorValues, ColoredSprites.Create(Small, 30, seed: 8).FactorValues);
    }

    [Fact]
    public void WorksOnALoadedFileToo()
    {
        using var tmp = new TempDir();
        var small = new SmallDSprites();
        var store = DSprites.Load(small.Write(tmp.File("d.npz")));
        var data = ColoredSprites.Create(store, [0, 50, 191], seed: 0);
        Assert.Equal(3, data.Count);
        Assert.Equal(small.Classes.AsSpan(50 * 6 + 1, 5), data.Classes(1)[..5]);
        Assert.Equal(small.Values.AsSpan(191 * 6 + 1, 5), data.FactorValues.AsSpan(2 * 8, 5));
        // Pixels are on exactly where the file's mask is 1.
        for (int p = 0; p < 256; p++)
            Assert.Equal(small.Imgs[50 * 256 + p] == 1, data.Image(1).Slice(3 * p, 3).IndexOfAnyExcept((byte)0) >= 0);
    }

    [Fact]
    public void BadRangesAreRefused()
    {
        Assert.Throws<SbvaeException>(() => ColoredSprites.Create(Small, 5, 0, new HsvRange { SaturationMin = 0.8, SaturationMax = 0.2 }));
        Assert.Throws<SbvaeException>(() => ColoredSprites.Create(Small, 5, 0, new HsvRange { ValueMax = 1.5 }));
        Assert.Equal(0, HsvRange.Bin(0.3, 0.3, 0.3));
        Assert.Equal(9, HsvRange.Bin(1, 0, 1));
    }
}
