using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class GeometryFigureTests
{
    /// <summary>SPEC §6.3 grid: lines 0–5 vertical, 6–11 horizontal, 31 points each, crossings once (on the vertical line).</summary>
    internal static (double[][] Points, int[] Ids) Grid()
    {
        double[] at = [.. Enumerable.Range(0, 6).Select(i => 0.2 + 0.12 * i)];
        double[] along = [.. Enumerable.Range(0, 31).Select(i => 0.2 + 0.02 * i)];
        var pts = new List<double[]>();
        var ids = new List<int>();
        for (int v = 0; v < 6; v++)
            foreach (double y in along) { pts.Add([at[v], y]); ids.Add(v); }
        for (int h = 0; h < 6; h++)
            foreach (double x in along)
                if (!at.Any(a => Math.Abs(a - x) < 1e-9)) { pts.Add([x, at[h]]); ids.Add(6 + h); }
        return (pts.ToArray(), ids.ToArray());
    }

    static GeometryData Affine((double[][] P, int[] Ids) g) =>
        new("spatial broadcast", [.. g.P.Select(p => new[] { 2.1 * p[0] - 0.8 * p[1] - 0.6, 0.5 * p[0] + 1.7 * p[1] - 0.9 })],
            g.Ids, 3, 7, 0.987);

    static GeometryData Twisted((double[][] P, int[] Ids) g) =>
        new("deconv", [.. g.P.Select(p =>
            {
                double dx = p[0] - 0.5, dy = p[1] - 0.5, r = Math.Sqrt(dx * dx + dy * dy), a = Math.Atan2(dy, dx) + 6 * r;
                return new[] { r * Math.Cos(a), r * Math.Sin(a) + 0.3 * dx * dx };
            })], g.Ids, 0, 5, null);

    [Fact]
    public void Grid_helper_matches_the_spec_count()
    {
        (double[][] p, int[] ids) = Grid();
        Assert.Equal(6 * 31 + 6 * 31 - 36, p.Length);
        Assert.Equal(12, ids.Distinct().Count());
    }

    [Fact]
    public void Panels_show_both_colour_families()
    {
        var g = Grid();
        string path = Path.Combine(Synthetic.SampleDir, "geometry.png");
        GeometryFigure.Save(path, g.Points, g.Ids, [Affine(g), Twisted(g)]);

        using SKBitmap bmp = Synthetic.DecodeFile(path);
        Assert.Equal(3, bmp.Width / 460);
        Assert.True(bmp.Height > 460);
        for (int panel = 0; panel < 3; panel++)
        {
            var area = new SKRectI(panel * 460, 0, (panel + 1) * 460, 460);
            // The darkest blue (rightmost vertical line) and darkest red (top horizontal line).
            Assert.True(Synthetic.CountNear(bmp, area, new SKColor(8, 48, 107), 6) > 30, $"panel {panel}: no dark blue");
            Assert.True(Synthetic.CountNear(bmp, area, new SKColor(103, 0, 13), 6) > 30, $"panel {panel}: no dark red");
            Assert.True(Synthetic.CountNear(bmp, area, new SKColor(107, 174, 214), 6) > 30, $"panel {panel}: no light blue");
        }
    }

    [Fact]
    public void Titles_carry_dims_and_r2_when_known()
    {
        var g = Grid();
        Assert.Equal("spatial broadcast (lat dims 3, 7; affine R² = 0.99)", GeometryFigure.Title(Affine(g)));
        Assert.Equal("deconv (lat dims 0, 5)", GeometryFigure.Title(Twisted(g)));
    }

    [Fact]
    public void Point_count_mismatch_is_rejected()
    {
        var g = Grid();
        var bad = Affine(g) with { Points = g.Points[1..] };
        Assert.Throws<ArgumentException>(() => GeometryFigure.Save(Path.Combine(Path.GetTempPath(), "never.png"), g.Points, g.Ids, [bad]));
    }
}
