using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class SpriteRasterizerTests
{
    const int Side = 64;
    static readonly (byte, byte, byte) Green = (0, 128, 0);

    static bool[,] Draw(string shape, int size, double x, double y, out byte[] image)
    {
        image = new byte[Side * Side * 3];
        SpriteRasterizer.Draw(image, Side, shape, size, x, y, Green);
        var lit = new bool[Side, Side];
        for (int r = 0; r < Side; r++)
            for (int c = 0; c < Side; c++)
                lit[r, c] = image[(r * Side + c) * 3 + 1] != 0;
        return lit;
    }

    static int Count(bool[,] lit) => lit.Cast<bool>().Count(b => b);

    static (int Top, int Left, int Bottom, int Right) Box(bool[,] lit)
    {
        var rows = Enumerable.Range(0, Side).Where(r => Enumerable.Range(0, Side).Any(c => lit[r, c])).ToList();
        var cols = Enumerable.Range(0, Side).Where(c => Enumerable.Range(0, Side).Any(r => lit[r, c])).ToList();
        return (rows.Min(), cols.Min(), rows.Max(), cols.Max());
    }

    [Fact]
    public void Size16SquareFills17By17()
    {
        var lit = Draw("square", 16, 0, 0, out _);
        Assert.Equal(289, Count(lit));
        Assert.Equal((0, 0, 16, 16), Box(lit));
    }

    [Fact]
    public void Size16CircleMatchesPillow()
    {
        var lit = Draw("circle", 16, 0, 0, out _);
        Assert.Equal(221, Count(lit));
        Assert.Equal((0, 0, 16, 16), Box(lit));
        // Row widths of Pillow 9.4's ellipse for the box (0,0)-(16,16), top to bottom.
        int[] widths = [5, 9, 11, 13, 15, 15, 17, 17, 17, 17, 17, 15, 15, 13, 11, 9, 5];
        Assert.Equal(widths, Enumerable.Range(0, 17).Select(r => Enumerable.Range(0, Side).Count(c => lit[r, c])));
        for (int r = 0; r <= 16; r++)
            for (int c = 0; c <= 16; c++)
            {
                Assert.Equal(lit[r, c], lit[16 - r, c]);
                Assert.Equal(lit[r, c], lit[r, 16 - c]);
                Assert.Equal(lit[r, c], lit[c, r]);
            }
    }

    // Pixel counts of Pillow 9.4 filled ellipses in the box (0,0)-(s,s); odd s is traced on the half-pixel grid.
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 5)]
    [InlineData(3, 12)]
    [InlineData(4, 21)]
    [InlineData(5, 24)]
    [InlineData(7, 52)]
    [InlineData(10, 97)]
    [InlineData(17, 256)]
    public void CircleSizesMatchPillow(int size, int pixels)
    {
        var lit = Draw("circle", size, 0, 0, out _);
        Assert.Equal(pixels, Count(lit));
        Assert.Equal((0, 0, size, size), Box(lit));
    }

    [Fact]
    public void SizeFiveCircleShape()
    {
        var lit = Draw("circle", 5, 0, 0, out _);
        string[] expected = ["..##..", ".####.", "######", "######", ".####.", "..##.."];
        for (int r = 0; r < 6; r++)
            Assert.Equal(expected[r], new string(Enumerable.Range(0, 6).Select(c => lit[r, c] ? '#' : '.').ToArray()));
    }

    [Theory]
    [InlineData("circle")]
    [InlineData("square")]
    public void PositionOneEndsTwoPixelsFromTheEdge(string shape)
    {
        // px = (64 − 2 − 16)·1 = 46, so the box spans 46..62 and the last row/column stays black.
        var lit = Draw(shape, 16, 1, 1, out _);
        Assert.Equal((46, 46, 62, 62), Box(lit));
    }

    [Fact]
    public void FractionalCornersAreTruncated()
    {
        // px = 46·0.3 = 13.8 → 13, px + 16 = 29.8 → 29; py = 46·0.7 = 32.2 → 32, 48.2 → 48.
        var lit = Draw("square", 16, 0.3, 0.7, out _);
        Assert.Equal((32, 13, 48, 29), Box(lit));
        Assert.Equal(289, Count(lit));
    }

    [Fact]
    public void XIsTheColumnAxis()
    {
        var lit = Draw("square", 4, 1, 0, out _);
        Assert.Equal((0, 58, 4, 62), Box(lit));
    }

    [Fact]
    public void WritesTheExactColourOnBlack()
    {
        Draw("circle", 16, 0, 0, out byte[] image);
        int centre = (8 * Side + 8) * 3;
        Assert.Equal(new byte[] { 0, 128, 0 }, image[centre..(centre + 3)]);
        int corner = (63 * Side + 63) * 3;
        Assert.Equal(new byte[] { 0, 0, 0 }, image[corner..(corner + 3)]);
        var distinct = Enumerable.Range(0, Side * Side).Select(i => (image[3 * i], image[3 * i + 1], image[3 * i + 2])).Distinct();
        Assert.Equal([(0, 0, 0), (0, 128, 0)], distinct.Select(t => ((int)t.Item1, (int)t.Item2, (int)t.Item3)).Order());
    }

    [Fact]
    public void UnknownShapeFails() =>
        Assert.Throws<SbvaeException>(() => SpriteRasterizer.Draw(new byte[Side * Side * 3], Side, "hexagon", 16, 0, 0, Green));
}
