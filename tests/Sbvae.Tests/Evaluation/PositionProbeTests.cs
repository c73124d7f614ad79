using Sbvae.Data;
using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

/// <summary>The geometry score's probe is made like the training data, and its extent exposes squashed or collapsed codes.</summary>
public class PositionProbeTests
{
    [Fact]
    public void SingularValuesOfKnownMaps()
    {
        var (large, small) = GeometryScore.SingularValues(new double[,] { { 3, 0 }, { 0, -0.5 } });
        Assert.Equal(3, large, 12);
        Assert.Equal(0.5, small, 12);
        // A rotation by 30° times diag(2, 0.1): rotations do not change singular values.
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        var (l2, s2) = GeometryScore.SingularValues(new double[,] { { 2 * c, -0.1 * s }, { 2 * s, 0.1 * c } });
        Assert.Equal(2, l2, 12);
        Assert.Equal(0.1, s2, 12);
    }

    [Fact]
    public void AGridSquashedOntoALineKeepsItsR2ButHasNoSmallerSingularValue()
    {
        var grid = GeometryGrid.Create().Points;
        var line = grid.Select(p => new[] { p[0] + p[1], 2 * (p[0] + p[1]) }).ToArray();
        var fit = GeometryScore.Fit(grid, line);
        Assert.Equal(1.0, fit.R2, 9);
        Assert.Equal(0.0, fit.SmallerSingularValue, 9);
        var affine = GeometryScore.Fit(grid, grid.Select(p => new[] { 2 * p[0] - p[1], p[0] + 3 * p[1] }).ToArray());
        Assert.Equal(1.0, affine.R2, 9);
        Assert.True(affine.SmallerSingularValue > 1, $"smaller singular value {affine.SmallerSingularValue}");
    }

    [Fact]
    public void AFullGridProbesOneObjectAtTheMiddlePositionsWithTheDatasetsOwnImages()
    {
        var data = ImageDataset.Reference(); // 35 positions each way, 3 colours
        var probe = PositionProbe.For(data)!;
        // linspace(0, 1, 35) has 21 values in [0.2, 0.8] (indices 7..27).
        Assert.Equal(21 * 21, probe.Xy.Length);
        Assert.All(probe.Xy, p => Assert.InRange(p[0], 0.2, 0.8));
        int colour = Array.IndexOf(data.FactorNames, "color");
        Assert.All(Enumerable.Range(0, probe.Images.Count), i => Assert.Equal(0, probe.Images.Classes(i)[colour]));
        // The probe's first image is the dataset's image of the first colour at x, y class 7.
        int row = data.IndexOf([7, 7, 0, 0, 0]);
        Assert.True(probe.Images.Image(0).SequenceEqual(data.Image(row)));
    }

    [Fact]
    public void ASubsetWithAGeneratorIsRenderedAndOneWithoutFallsBackToItsOwnImages()
    {
        var colored = ColoredSprites.Create(new DSpritesLike(new DSpritesLikeSpec()), 200, seed: 3);
        var withGenerator = new ImageDataset(colored.Count, colored.Height, colored.Width, 3, colored.Pixels, colored.FactorNames,
            colored.FactorValues, colored.FactorClasses) { Generator = DatasetGenerators.ColoredSprites };
        var rendered = PositionProbe.For(withGenerator)!;
        Assert.Contains("generator", rendered.Source);
        Assert.True(rendered.Xy.Length > 200, $"{rendered.Xy.Length} probe points"); // every middle position, not only the subset's
        Assert.True(rendered.Images.Pixels.Any(b => b != 0), "rendered probe images are blank");

        var own = PositionProbe.For(colored)!; // the same subset without its generator
        Assert.Contains("own images (all objects)", own.Source);
        Assert.True(own.Xy.Length is > 3 and < 200);
        Assert.All(own.Xy, p => Assert.True(p[0] is >= 0.2 - 1e-9 and <= 0.8 + 1e-9 && p[1] is >= 0.2 - 1e-9 and <= 0.8 + 1e-9));
    }

    [Fact]
    public void NoPositionFactorsNoProbe()
    {
        var data = TestData.Tiny();
        var noPosition = new ImageDataset(data.Count, data.Height, data.Width, 3, data.Pixels, ["a", "b", "shape", "size", "color"],
            data.FactorValues, data.FactorClasses);
        Assert.Null(PositionProbe.For(noPosition));
        Assert.NotNull(PositionProbe.For(data));
    }
}
