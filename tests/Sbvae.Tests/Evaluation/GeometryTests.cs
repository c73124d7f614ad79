using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class GeometryTests
{
    private static readonly GeometryGrid Grid = GeometryGrid.Create();

    private static double[][] Map(Func<double, double, double[]> f) => Grid.Points.Select(p => f(p[0], p[1])).ToArray();

    [Fact]
    public void GridHasSixLinesEachWayOf31PointsWithCrossingsOnce()
    {
        Assert.Equal(6 * 31 + 6 * 31 - 36, Grid.Count);
        Assert.Equal(Grid.Count, Grid.Points.Select(p => (Math.Round(p[0], 9), Math.Round(p[1], 9))).Distinct().Count());
        Assert.All(Grid.Points, p => Assert.True(p[0] >= 0.2 - 1e-12 && p[0] <= 0.8 + 1e-12 && p[1] >= 0.2 - 1e-12 && p[1] <= 0.8 + 1e-12));
        for (int line = 0; line < 6; line++)
        {
            Assert.Equal(31, Grid.VerticalLine.Count(v => v == line));
            Assert.Equal(31, Grid.HorizontalLine.Count(h => h == line));
        }
        Assert.Equal(36, Enumerable.Range(0, Grid.Count).Count(i => Grid.VerticalLine[i] >= 0 && Grid.HorizontalLine[i] >= 0));
        // Every point of vertical line a has x = 0.2 + 0.12·a; line ids are 0..11.
        for (int i = 0; i < Grid.Count; i++)
        {
            if (Grid.VerticalLine[i] >= 0) Assert.Equal(0.2 + 0.12 * Grid.VerticalLine[i], Grid.Points[i][0], 12);
            if (Grid.HorizontalLine[i] >= 0) Assert.Equal(0.2 + 0.12 * Grid.HorizontalLine[i], Grid.Points[i][1], 12);
        }
        Assert.Equal(Enumerable.Range(0, 12), Grid.LineIds.Distinct().Order());
    }

    [Fact]
    public void AffineImageOfTheGridScoresOne()
    {
        var z = Map((x, y) => [2.5 * x - 1.3 * y + 0.7, -0.4 * x + 3.1 * y - 2.0]);
        Assert.Equal(1.0, GeometryScore.AffineR2(Grid.Points, z), 9);
        var swapped = Map((x, y) => [-y, 10 * x]); // swapped and flipped axes are affine too
        Assert.Equal(1.0, GeometryScore.AffineR2(Grid.Points, swapped), 9);
    }

    [Fact]
    public void TwistedGridScoresClearlyBelowOne()
    {
        double r2 = GeometryScore.AffineR2(Grid.Points, Map((x, y) => [x, y + Math.Sin(4 * x)]));
        Assert.InRange(r2, 0.0, 0.95);
    }

    [Fact]
    public void RandomPointsScoreLow()
    {
        var rng = new Random(8);
        var z = Grid.Points.Select(_ => new[] { rng.NextDouble(), rng.NextDouble() }).ToArray();
        Assert.InRange(GeometryScore.AffineR2(Grid.Points, z), 0.0, 0.05);
    }

    [Fact]
    public void CollapsedLatentsExplainNothing() =>
        Assert.Equal(0.0, GeometryScore.AffineR2(Grid.Points, Map((_, _) => [1.0, 2.0])));

    [Fact]
    public void MostInformativeDimsHaveTheSmallestMeanLogVariance()
    {
        float[][] logVar = [[0f, -3f, 0.1f, -5f], [0f, -2f, -0.1f, -4f]];
        Assert.Equal((3, 1), GeometryGrid.MostInformativeDims(logVar));
        Assert.Throws<SbvaeException>(() => GeometryGrid.MostInformativeDims([[1f]]));
    }

    [Fact]
    public void BadInputIsAUserError()
    {
        Assert.Throws<SbvaeException>(() => GeometryScore.AffineR2(Grid.Points, Grid.Points.Take(5).ToArray()));
        double[][] line = [[0, 0], [1, 1], [2, 2]];
        Assert.Throws<SbvaeException>(() => GeometryScore.AffineR2(line, line));
    }
}
