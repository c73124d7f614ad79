using Sbvae.Data;

namespace Sbvae.Tests.Data;

/// <summary>Triangle, heart and rotated sprites: drawn inside their box, distinct, and small sizes still visible.</summary>
public class SpriteShapeTests
{
    const int Side = 64;

    static bool[,] Draw(string shape, int size, double x, double y, double rotation = 0, int side = Side)
    {
        var image = new byte[side * side * 3];
        SpriteRasterizer.Draw(image, side, shape, size, x, y, (255, 255, 255), rotation);
        var lit = new bool[side, side];
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
                lit[r, c] = image[(r * side + c) * 3] != 0;
        return lit;
    }

    static int Count(bool[,] lit) => lit.Cast<bool>().Count(b => b);

    static (int Top, int Left, int Bottom, int Right) Box(bool[,] lit)
    {
        int n = lit.GetLength(0);
        var rows = Enumerable.Range(0, n).Where(r => Enumerable.Range(0, n).Any(c => lit[r, c])).ToList();
        var cols = Enumerable.Range(0, n).Where(c => Enumerable.Range(0, n).Any(r => lit[r, c])).ToList();
        return (rows.Min(), cols.Min(), rows.Max(), cols.Max());
    }

    static int[] RowWidths(bool[,] lit, int top, int bottom) =>
        Enumerable.Range(top, bottom - top + 1).Select(r => Enumerable.Range(0, Side).Count(c => lit[r, c])).ToArray();

    [Theory]
    [InlineData("triangle")]
    [InlineData("heart")]
    public void Size16FillsExactlyTheSquaresBox(string shape)
    {
        // Same box as FractionalCornersAreTruncated: columns 13..29, rows 32..48.
        var lit = Draw(shape, 16, 0.3, 0.7);
        Assert.Equal((32, 13, 48, 29), Box(lit));
        Assert.InRange(Count(lit), 100, 288);
    }

    [Theory]
    [InlineData("triangle", 3)]
    [InlineData("heart", 5)]
    [InlineData("triangle", 10)]
    [InlineData("heart", 11)]
    public void OtherSizesStayInsideTheirBox(string shape, int size)
    {
        var lit = Draw(shape, size, 1, 0);
        int px = Side - 2 - size;
        var (top, left, bottom, right) = Box(lit);
        Assert.True(top >= 0 && bottom <= size && left >= px && right <= px + size, $"{shape} {size}: {Box(lit)}");
        Assert.True(Count(lit) > 0);
    }

    [Fact]
    public void TriangleHasItsApexOnTopAndWidensDownwards()
    {
        var lit = Draw("triangle", 16, 0, 0);
        int[] widths = RowWidths(lit, 0, 16);
        Assert.Equal(1, widths[0]);
        Assert.Equal(17, widths[16]);
        for (int r = 1; r <= 16; r++) Assert.True(widths[r] >= widths[r - 1], $"row {r} narrower than row {r - 1}");
        Assert.True(lit[0, 8]);
        for (int r = 0; r <= 16; r++)
            for (int c = 0; c <= 16; c++)
                Assert.Equal(lit[r, c], lit[r, 16 - c]);
    }

    [Fact]
    public void HeartHasTwoLobesOnTopAndAPointBelow()
    {
        var lit = Draw("heart", 16, 0, 0);
        Assert.False(lit[0, 8]);          // the notch between the lobes
        Assert.True(lit[0, 5] && lit[0, 11]);
        Assert.True(lit[16, 8]);          // the tip
        Assert.Equal(1, RowWidths(lit, 16, 16)[0]);
        for (int r = 0; r <= 16; r++)
            for (int c = 0; c <= 16; c++)
                Assert.Equal(lit[r, c], lit[r, 16 - c]);
    }

    [Fact]
    public void ShapesDifferFromEachOther()
    {
        string[] shapes = ["circle", "square", "triangle", "heart"];
        var masks = shapes.Select(s => Draw(s, 12, 0.4, 0.6)).ToArray();
        for (int i = 0; i < shapes.Length; i++)
            for (int j = i + 1; j < shapes.Length; j++)
            {
                int differing = masks[i].Cast<bool>().Zip(masks[j].Cast<bool>()).Count(p => p.First != p.Second);
                Assert.True(differing >= 10, $"{shapes[i]} and {shapes[j]} differ in only {differing} pixels");
            }
    }

    [Fact]
    public void QuarterTurnOfATriangleTurnsItsPixelsCounterClockwise()
    {
        var up = Draw("triangle", 16, 0.5, 0.5);
        var turned = Draw("triangle", 16, 0.5, 0.5, 90);
        Assert.NotEqual(up.Cast<bool>(), turned.Cast<bool>());
        int n = Count(up);
        Assert.InRange(Count(turned), n * 0.85, n * 1.15);
        // Box 23..39, centre pixel 31: the offset (dx, dy) goes to (dy, −dx), so the apex points left.
        for (int r = 23; r <= 39; r++)
            for (int c = 23; c <= 39; c++)
                Assert.Equal(up[r, c], turned[31 - (c - 31), 31 + (r - 31)]);
        Assert.True(turned[31, 23]);
        Assert.False(turned[23, 23]);
    }

    [Theory]
    [InlineData("triangle", 45)]
    [InlineData("heart", 30)]
    [InlineData("heart", -120)]
    [InlineData("square", 45)]
    public void ArbitraryTurnsKeepTheAreaRoughly(string shape, double degrees)
    {
        int n = Count(Draw(shape, 20, 0.5, 0.5));
        var turned = Draw(shape, 20, 0.5, 0.5, degrees);
        Assert.InRange(Count(turned), n * 0.85, n * 1.15);
        Assert.NotEqual(Draw(shape, 20, 0.5, 0.5).Cast<bool>(), turned.Cast<bool>());
    }

    [Theory]
    [InlineData(0.3, 0.7, 16)]
    [InlineData(1, 0, 5)]
    public void SquareTurnedByWholeQuartersEqualsTheUnrotatedSquare(double x, double y, int size)
    {
        var plain = Draw("square", size, x, y);
        foreach (double degrees in new[] { 0.0, 90, 180, 270, -90, 360 })
            Assert.Equal(plain.Cast<bool>(), Draw("square", size, x, y, degrees).Cast<bool>());
    }

    [Fact]
    public void SquareTurnedBy45IsADiamondReachingBeyondTheBox()
    {
        var lit = Draw("square", 16, 0.5, 0.5, 45);
        var (top, left, bottom, right) = Box(lit);
        Assert.True(bottom - top > 20 && right - left > 20, $"{Box(lit)}");
        Assert.Equal(Box(lit).Top, Enumerable.Range(0, Side).First(r => lit[r, 31]));
    }

    [Fact]
    public void CircleIgnoresRotation() =>
        Assert.Equal(Draw("circle", 15, 0.2, 0.9).Cast<bool>(), Draw("circle", 15, 0.2, 0.9, 37).Cast<bool>());

    [Fact]
    public void NonFiniteRotationIsRejected() =>
        Assert.Throws<ArgumentException>(() => Draw("triangle", 8, 0, 0, double.NaN));

    [Fact]
    public void SmallObjectsDownToTwoPixelsAreVisibleEverywhere()
    {
        var spec = new SpriteSpec
        {
            NumPos = 3, Shapes = SpriteSpec.KnownShapes, Sizes = [2, 3, 4], Colors = ["white"],
            Rotations = [0, 45, 90, 200],
        };
        var d = SpriteGenerator.Generate(spec);
        Assert.Equal(3 * 3 * 4 * 3 * 4, d.Count);
        for (int i = 0; i < d.Count; i++)
        {
            var img = d.Image(i);
            int lit = 0;
            for (int p = 0; p < img.Length; p += 3) if (img[p] != 0) lit++;
            Assert.True(lit >= 2, $"row {i} ({string.Join(",", d.Classes(i).ToArray())}) lights {lit} pixels");
            // At most the (size + 1)² box turned, plus one pixel of rounding on each side.
            int size = spec.Sizes[(int)d.Classes(i)[3]];
            Assert.True(lit <= (size + 3) * (size + 3), $"row {i} lights {lit} pixels");
        }
    }
}
