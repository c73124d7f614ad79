using Sbvae.Diagnostics;
using System.Text.Json;

namespace Sbvae.Tests.CliTests;

/// <summary>`sbvae bench` end to end on a few steps: worker processes, the table, and the JSON for comparisons.</summary>
public class BenchCommandTests
{
    [Fact]
    public void BenchWritesATableAndJsonWithRatiosToThePlainPath()
    {
        string dir = TestData.TempDir("bench");
        string json = Path.Combine(dir, "bench.json");
        var r = Cli.Run("bench", "--decoder", "deconv", "--paths", "fp32-plain,fp32", "--steps", "3", "--warmup", "1",
            "--warmup-seconds", "0", "--rounds", "1", "--threads", "1", "--json", json);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("fp32-plain", r.Out);
        Assert.Contains("train img/s", r.Out);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
        Assert.True(root.GetProperty("peak_gflops_fp32").GetDouble() > 0);
        double perImage = root.GetProperty("train_gflop_per_image").GetProperty("deconv").GetDouble();
        Assert.Equal(Sbvae.Diagnostics.ModelFlops.TrainingPerImage(new Sbvae.Models.ModelConfig { Decoder = Sbvae.Models.DecoderKind.Deconv }) / 1e9, perImage, 9);
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["fp32-plain", "fp32"], rows.Select(x => x.GetProperty("path").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal("deconv", row.GetProperty("decoder").GetString());
            Assert.True(row.GetProperty("train_images_per_second").GetDouble() > 0);
            Assert.True(row.GetProperty("infer_images_per_second").GetDouble() > 0);
            Assert.True(row.GetProperty("peak_rss_mb").GetDouble() > 50); // libtorch alone is larger
            // GFLOP/s is the per-image arithmetic at the measured rate.
            Assert.Equal(row.GetProperty("train_images_per_second").GetDouble() * perImage, row.GetProperty("train_gflops").GetDouble(), 6);
        }
        Assert.Equal(1.0, rows[0].GetProperty("train_ratio").GetDouble(), 9);
        double ratio = rows[1].GetProperty("train_images_per_second").GetDouble() / rows[0].GetProperty("train_images_per_second").GetDouble();
        Assert.Equal(ratio, rows[1].GetProperty("train_ratio").GetDouble(), 6);
    }
}
