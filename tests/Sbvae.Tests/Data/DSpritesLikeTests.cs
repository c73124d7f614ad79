using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class DSpritesLikeTests
{
    const int Side = 64;
    static readonly DSpritesLike Full = new(new DSpritesLikeSpec());

    /// <summary>The mask of one object, by its factor classes in the default (dSprites-sized) grid.</summary>
    static byte[] Mask(int shape, int scale, int orientation, int x = 16, int y = 16)
    {
        var m = new byte[Side * Side];
        Full.Image(Full.Factors.Row([0, shape, scale, orientation, x, y]), m);
        return m;
    }

    static int Area(byte[] m) => m.Count(p => p == 1);

    static (double X, double Y) Centroid(byte[] m)
    {
        double sx = 0, sy = 0; int n = 0;
        for (int i = 0; i < m.Length; i++)
            if (m[i] == 1) { sx += i % Side + 0.5; sy += i / Side + 0.5; n++; }
        return (sx / n, sy / n);
    }

    [Fact]
    public void DefaultGridIsDSprites()
    {
        var f = Full.Factors;
        Assert.Equal(737_280, f.Count);
        Assert.Equal([1, 3, 6, 40, 32, 32], f.Sizes);
        Assert.Equal(ImageDataset.DSpritesFactorNames, f.Names);
        Assert.Equal([1.0, 2, 3], f.ClassValues(1));
        Assert.Equal(0.5, f.Value(2, 0)); Assert.Equal(1.0, f.Value(2, 5));
        Assert.Equal(0.0, f.Value(3, 0)); Assert.Equal(2 * Math.PI, f.Value(3, 39));
        Assert.Equal(0.0, f.Value(4, 0)); Assert.Equal(1.0, f.Value(5, 31));
    }

    [Fact]
    public void SmallGridsKeepTheRangesAndShapeCodes()
    {
        var f = new DSpritesLikeSpec { Shapes = ["heart", "square"], NumScales = 2, NumOrientations = 3, NumPositions = 4 }.Factors();
        Assert.Equal([1, 2, 2, 3, 4, 4], f.Sizes);
        Assert.Equal([3.0, 1.0], f.ClassValues(1));
        Assert.Equal([0.5, 1.0], f.ClassValues(2));
        Assert.Equal([0, Math.PI, 2 * Math.PI], f.ClassValues(3));
        Assert.Throws<SbvaeException>(() => new DSpritesLikeSpec { Shapes = ["star"] }.Validate());
        Assert.Throws<SbvaeException>(() => new DSpritesLikeSpec { NumPositions = 0 }.Validate());
    }

    [Fact]
    public void ShapesDiffer()
    {
        var masks = Enumerable.Range(0, 3).Select(s => Mask(s, 5, 0)).ToArray();
        Assert.NotEqual(masks[0], masks[1]);
        Assert.NotEqual(masks[0], masks[2]);
        Assert.NotEqual(masks[1], masks[2]);
        // Square > heart > ellipse in area, as in dSprites.
        Assert.True(Area(masks[0]) > Area(masks[2]) && Area(masks[2]) > Area(masks[1]),
            $"areas square {Area(masks[0])}, ellipse {Area(masks[1])}, heart {Area(masks[2])}");
    }

    [Fact]
    public void ScaleOneSquareIsAbout20Pixels()
    {
        // 0.3125 · 64 = 20 px sides: 400 pixels give or take an edge row.
        Assert.InRange(Area(Mask(0, 5, 0)), 380, 420);
        // Scale 0.5: 10 px sides.
        Assert.InRange(Area(Mask(0, 0, 0)), 90, 110);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ScaleGrowsThePixelCountMonotonically(int shape)
    {
        int[] areas = Enumerable.Range(0, 6).Select(s => Area(Mask(shape, s, 7))).ToArray();
        for (int s = 1; s < 6; s++)
            Assert.True(areas[s] > areas[s - 1], $"shape {shape}: areas {string.Join(", ", areas)}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void OrientationTurnsTheShapeButKeepsItsArea(int shape)
    {
        byte[] upright = Mask(shape, 5, 0);
        foreach (int o in new[] { 3, 5, 13, 27 })
        {
            byte[] turned = Mask(shape, 5, o);
            Assert.NotEqual(upright, turned);
            Assert.InRange(Area(turned), Area(upright) * 0.93, Area(upright) * 1.07);
        }
        // linspace(0, 2π, 40) includes both ends: the last orientation is the first one again.
        Assert.Equal(upright, Mask(shape, 5, 39));
    }

    [Fact]
    public void HeartPointsDownAtOrientationZero()
    {
        // Lobes up, tip down: the upper half of the heart holds more pixels than the lower half.
        byte[] m = Mask(2, 5, 0);
        double cy = Centroid(m).Y;
        int above = 0, below = 0;
        for (int i = 0; i < m.Length; i++)
            if (m[i] == 1) { if (i / Side + 0.5 < cy) above++; else below++; }
        Assert.True(above > below, $"above {above}, below {below}");
    }

    [Fact]
    public void PositionsSpanTheMiddleOfTheImage()
    {
        // Centres at (0.2 + 0.6 · pos) · 64: 12.8 px for pos 0, 51.2 px for pos 1.
        var (x0, y0) = Centroid(Mask(0, 5, 0, 0, 31));
        var (x1, y1) = Centroid(Mask(0, 5, 0, 31, 0));
        Assert.InRange(x0, 12.3, 13.3); Assert.InRange(y0, 50.7, 51.7);
        Assert.InRange(x1, 50.7, 51.7); Assert.InRange(y1, 12.3, 13.3);
        // Every object stays whole inside the image at the extremes (no clipping): same area as in the middle.
        int middle = Area(Mask(2, 5, 9, 16, 16));
        Assert.InRange(Area(Mask(2, 5, 9, 0, 0)), middle - 12, middle + 12);
        Assert.InRange(Area(Mask(2, 5, 9, 31, 31)), middle - 12, middle + 12);
    }

    [Fact]
    public void FillStoresEveryRenderedRow()
    {
        var like = new DSpritesLike(new DSpritesLikeSpec { NumScales = 2, NumOrientations = 3, NumPositions = 3, ImgSize = 32 });
        var store = like.Fill();
        Assert.Equal(3 * 2 * 3 * 3 * 3, store.Count);
        Assert.Same(like.Factors, store.Factors);
        var a = new byte[32 * 32];
        var b = new byte[32 * 32];
        for (int row = 0; row < store.Count; row++)
        {
            like.Image(row, a);
            store.Image(row, b);
            Assert.Equal(a, b);
            Assert.True(store.OnPixels(row) > 0, $"row {row} is empty");
        }
    }
}
