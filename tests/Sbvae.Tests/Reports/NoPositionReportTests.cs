using Sbvae.Data;
using Sbvae.Reports;

namespace Sbvae.Tests.Reports;

/// <summary>A dataset without position factors gets a report without the geometry figure, and says why in a sentence.</summary>
public class NoPositionReportTests
{
    [Fact]
    public void TheReportLeavesOutGeometryAndSaysWhy()
    {
        string root = TestData.TempDir("nopos");
        string dataset = Path.Combine(root, "shapes.npz");
        // 16 greyscale images of 16 px: a bar of 8 lengths and 2 thicknesses, no x or y
        const int n = 16, side = 16;
        var pixels = new byte[n * side * side];
        var classes = new long[n * 2];
        for (int i = 0; i < n; i++)
        {
            (classes[2 * i], classes[2 * i + 1]) = (i % 8, i / 8);
            for (int t = 0; t <= i / 8; t++)
                for (int x = 0; x <= i % 8 + 4; x++) pixels[i * side * side + (8 + t) * side + x] = 255;
        }
        new ImageDataset(n, side, side, 1, pixels, ["length", "thickness"], [.. classes.Select(c => (double)c)], classes).Save(dataset);
        string dir = Path.Combine(root, "cmp");
        var r = Cli.Run("compare", "--quick", "--steps", "2", "--latent", "3", "--batch", "8", "--threads", "1", "--no-tensorboard", "--dataset", dataset, "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "figures", "geometry.png")));
        Assert.True(File.Exists(Path.Combine(dir, "figures", "traversals.png")));
        Assert.Contains(FigureSet.NoGeometry, File.ReadAllText(Path.Combine(dir, "report.md")));
        Assert.Contains("no position factors", File.ReadAllText(Path.Combine(dir, "report.html")));
        Assert.Contains("steps", File.ReadAllText(Path.Combine(dir, "report.md")));
    }
}
