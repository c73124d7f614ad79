using Sbvae.Engine;
using SkiaSharp;
using Sbvae.Checkpoints;
using Sbvae.Data;

namespace Sbvae.Tests.Reports;

/// <summary>`sbvae compare` and `sbvae figures` end to end on a tiny dataset (one epoch per model).</summary>
public class CompareTests
{
    static readonly Lazy<(string Dir, string Dataset)> Compared = new(() =>
    {
        string root = TestData.TempDir("compare");
        string dataset = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(dataset);
        string dir = Path.Combine(root, "cmp");
        var r = Cli.Run("compare", "--quick", "--epochs", "1", "--latent", "3", "--threads", "1", "--dataset", dataset, "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        return (dir, dataset);
    });

    static SKBitmap Png(string path)
    {
        Assert.True(File.Exists(path), $"missing {path}");
        return SKBitmap.Decode(path) ?? throw new Xunit.Sdk.XunitException($"{path} is not an image");
    }

    static int DistinctColours(SKBitmap b)
    {
        var set = new HashSet<uint>();
        for (int y = 0; y < b.Height; y += 3)
            for (int x = 0; x < b.Width; x += 3) set.Add((uint)b.GetPixel(x, y));
        return set.Count;
    }

    [Fact]
    public void EveryFigureIsDrawnWithContent()
    {
        string figs = Path.Combine(Compared.Value.Dir, "figures");
        using var losses = Png(Path.Combine(figs, "loss_curves.png"));
        Assert.Equal((1200, 500), (losses.Width, losses.Height));
        using var traversals = Png(Path.Combine(figs, "traversals.png"));
        Assert.True(traversals.Width > 800 && traversals.Height > 300, $"{traversals.Width}×{traversals.Height}");
        using var geometry = Png(Path.Combine(figs, "geometry.png"));
        Assert.True(geometry.Width >= 3 * 400, "three panels: ground truth and two models");
        foreach (var b in new[] { losses, traversals, geometry }) Assert.True(DistinctColours(b) > 20);
        foreach (var name in new[] { "traversal_sbd.gif", "traversal_deconv.gif" })
        {
            byte[] gif = File.ReadAllBytes(Path.Combine(figs, name));
            Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(gif, 0, 6));
            using var codec = SKCodec.Create(new MemoryStream(gif));
            Assert.Equal(12, codec.FrameCount); // 7 sweep values, ping-pong
        }
    }

    [Fact]
    public void ReportHasEverySectionAndInlinesItsImages()
    {
        string dir = Compared.Value.Dir;
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        foreach (var section in new[] { "Reading", "Configuration", "Final loss terms", "Disentanglement", "Loss curves",
                     "Reconstructions and latent traversals", "Latent space geometry", "Animated traversals" })
        {
            Assert.Contains(section, html);
            Assert.Contains(section, md);
        }
        Assert.Equal(3, html.Split("data:image/png;base64,").Length - 1);
        Assert.Equal(2, html.Split("data:image/gif;base64,").Length - 1);
        Assert.DoesNotContain("src=\"figures/", html); // self-contained
        foreach (var metric in new[] { "mig", "dci_disentanglement", "factorvae", "sap", "betavae", "geometry_r2" }) Assert.Contains(metric, md);
        Assert.Contains("walk-through", md);
        Assert.Contains("spatial broadcast", md);
        Assert.Contains("](figures/loss_curves.png)", md);
        string auto = Sbvae.Engine.PrecisionSupport.CpuHasNativeBf16 ? "bf16" : "fp32";
        Assert.Contains($"| precision | auto: {auto} on this machine |", md);
        Assert.True(File.Exists(Path.Combine(dir, "summary.json")));
    }

    [Fact]
    public void RerunningCompareSkipsFinishedRuns()
    {
        var (dir, dataset) = Compared.Value;
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "sbd", "checkpoint.safetensors"));
        var r = Cli.Run("compare", "--quick", "--epochs", "1", "--latent", "3", "--threads", "1", "--dataset", dataset, "--out", dir);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("already trained", r.Out);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "sbd", "checkpoint.safetensors")));
    }

    [Fact]
    public void SideBySideTrainsTheSameModelsAsOneAfterTheOther()
    {
        string root = TestData.TempDir("together");
        string dataset = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(dataset);
        string[] common = ["compare", "--quick", "--epochs", "3", "--latent", "3", "--threads", "2", "--precision", "bf16", "--dataset", dataset];
        var together = Cli.Run([.. common, "--out", Path.Combine(root, "together")]);
        var apart = Cli.Run([.. common, "--one-at-a-time", "--out", Path.Combine(root, "apart")]);
        Assert.True(together.ExitCode == 0, together.Err);
        Assert.True(apart.ExitCode == 0, apart.Err);
        Assert.Contains("side by side on 2 threads", together.Out);
        Assert.DoesNotContain("side by side", apart.Out);
        foreach (var run in new[] { "deconv", "sbd" })
        {
            var a = SafeTensors.Read(Path.Combine(root, "together", run, "checkpoint.safetensors")).Tensors;
            var b = SafeTensors.Read(Path.Combine(root, "apart", run, "checkpoint.safetensors")).Tensors;
            Assert.Equal(b.Keys.Order(), a.Keys.Order());
            Assert.All(b, kv => Assert.True(kv.Value.Data.AsSpan().SequenceEqual(a[kv.Key].Data), $"{run} {kv.Key}"));
            Assert.Contains(b.Keys, k => k.StartsWith("optimizer", StringComparison.Ordinal)); // Adam's moments too
        }
    }

    [Fact]
    public void FiguresForOneRunAndRefusalOfRunsThatDoNotMatch()
    {
        var (dir, _) = Compared.Value;
        string one = Path.Combine(TestData.TempDir("figs"), "one");
        var r = Cli.Run("figures", Path.Combine(dir, "sbd"), "--out", one);
        Assert.True(r.ExitCode == 0, r.Err);
        using var t = Png(Path.Combine(one, "traversals.png"));
        Assert.Contains("geometry affine R²", r.Out);

        string root = TestData.TempDir("figs32");
        string data32 = Path.Combine(root, "d32.npz");
        SpriteGenerator.Generate(new SpriteSpec { NumPos = 3, Shapes = ["square"], Sizes = [8], Colors = ["red"], ImgSize = 32 }).Save(data32);
        Assert.Equal(0, Cli.Run("train", "--decoder", "sbd", "--epochs", "1", "--latent", "3", "--threads", "1", "--dataset", data32, "--out", Path.Combine(root, "r32")).ExitCode);
        var bad = Cli.Run("figures", Path.Combine(dir, "sbd"), Path.Combine(root, "r32"), "--out", Path.Combine(root, "f"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("do not match", bad.Err);
    }

    [Fact]
    public void EncodeOutputFeedsEvaluateCodes()
    {
        var (dir, dataset) = Compared.Value;
        string root = TestData.TempDir("codes");
        string codes = Path.Combine(root, "codes.npz"), metrics = Path.Combine(root, "metrics.json");
        Assert.Equal(0, Cli.Run("encode", Path.Combine(dir, "sbd"), "--dataset", dataset, "--out", codes).ExitCode);
        var arrays = Npz.Read(codes);
        Assert.Equal(new[] { 72, 3 }, arrays["mu"].Shape);
        Assert.Equal(new[] { 72, 5 }, arrays["factors"].Shape);
        var r = Cli.Run("evaluate", "--codes", codes, "--all-points", "--metrics", "mig,sap,dci", "--out", metrics);
        Assert.True(r.ExitCode == 0, r.Err);
        string json = File.ReadAllText(metrics);
        foreach (var m in new[] { "\"mig\"", "\"sap\"", "\"dci_disentanglement\"" }) Assert.Contains(m, json);
    }
}
