using Sbvae.Checkpoints;
using Sbvae.Data;

namespace Sbvae.Evaluation;

/// <summary>The two most informative latent means of the grid images, and how affine they are.</summary>
public sealed record GeometryMeasurement(double[][] Points, int DimA, int DimB, double R2);

/// <summary>
/// SPEC §6.3: render red circles (the reference shape, size ¼ of the image) on the grid of
/// x, y in [0.2, 0.8], encode them, keep the two latents with the smallest mean log σ², and
/// score the geometry by the R² of the best affine map from the true (x, y) to those means.
/// </summary>
public static class GeometryProbe
{
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
