using Sbvae.Checkpoints;
using Sbvae.Data;

namespace Sbvae.Evaluation;

/// <summary>The two most informative latent means of the grid images, and how affine they are.</summary>
public sealed record GeometryMeasurement(double[][] Points, int DimA, int DimB, double R2);

/// <summary>
/// The geometry score on a dataset's own probe (<see cref="PositionProbe"/>): R² of the affine map from
/// the true positions to the two most informative latents, and <see cref="Extent"/>: the map's smaller
/// singular value times the probed span, in units of the posterior's mean standard deviation on those
/// two latents — how many posterior standard deviations apart the code puts the two ends of the grid
/// along its thinnest direction. A grid squashed onto a line, or a collapsed code whose tiny μ still
/// varies linearly, has R² that can look good and an extent near 0.
/// </summary>
public sealed record GeometryScoreResult(double R2, double Extent, double SmallerSingularValue, double PosteriorSd, int Points, string Source);

/// <summary>
/// SPEC §6.3: render red circles (the reference shape, size ¼ of the image) on the grid of
/// x, y in [0.2, 0.8], encode them, keep the two latents with the smallest mean log σ², and
/// score the geometry by the R² of the best affine map from the true (x, y) to those means.
/// </summary>
public static class GeometryProbe
{
    /// <summary>The geometry score on the probe made like <paramref name="data"/>, or null when the data has no x and y factors.</summary>
    public static GeometryScoreResult? Score(TrainedModel m, ImageDataset data)
    {
        if (m.Latent < 2 || PositionProbe.For(data) is not { } probe) return null;
        using var t = m.Images(probe.Images);
        var (mu, logVar) = m.Encode(t);
        int k = m.Latent, n = probe.Xy.Length;
        float[][] lv = Enumerable.Range(0, n).Select(i => logVar.AsSpan(i * k, k).ToArray()).ToArray();
        var (a, b) = GeometryGrid.MostInformativeDims(lv);
        double[][] points = Enumerable.Range(0, n).Select(i => new double[] { mu[i * k + a], mu[i * k + b] }).ToArray();
        var fit = GeometryScore.Fit(probe.Xy, points);
        double sd = Enumerable.Range(0, n).Average(i => (Math.Exp(0.5 * logVar[i * k + a]) + Math.Exp(0.5 * logVar[i * k + b])) / 2);
        double span = Math.Min(Span(probe.Xy, 0), Span(probe.Xy, 1));
        return new GeometryScoreResult(fit.R2, fit.SmallerSingularValue * span / sd, fit.SmallerSingularValue, sd, n, probe.Source);
    }

    static double Span(double[][] xy, int c) => xy.Max(p => p[c]) - xy.Min(p => p[c]);

    public static GeometryMeasurement Measure(TrainedModel m, GeometryGrid? grid = null)
    {
        grid ??= GeometryGrid.Create();
        int s = m.ImageSize, n = grid.Count, per = s * s * 3;
        var pixels = new byte[n * per];
        var color = CssColors.Parse("red");
        var one = new byte[per];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(one);
            SpriteRasterizer.Draw(one, s, "circle", Math.Max(2, s / 4), grid.Points[i][0], grid.Points[i][1], color);
            one.CopyTo(pixels, i * per);
        }
        var images = new ImageDataset(n, s, s, 3, pixels, ["x", "y"], grid.Points.SelectMany(p => p).ToArray(), new long[n * 2]);
        using var t = m.Images(images);
        var (mu, logVar) = m.Encode(t);
        int k = m.Latent;
        if (k < 2) return new GeometryMeasurement([], 0, 0, double.NaN);
        float[][] lv = Enumerable.Range(0, n).Select(i => logVar.AsSpan(i * k, k).ToArray()).ToArray();
        var (a, b) = GeometryGrid.MostInformativeDims(lv);
        double[][] points = Enumerable.Range(0, n).Select(i => new double[] { mu[i * k + a], mu[i * k + b] }).ToArray();
        return new GeometryMeasurement(points, a, b, GeometryScore.AffineR2(grid.Points, points));
    }
}
