using Sbvae.Data;
using Sbvae.Tests.Data;

namespace Sbvae.Tests.Sweeps;

/// <summary>A metric a sweep cannot compute on its dataset is named in one line, by the worker that left it out.</summary>
public class SweepNotesTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void ASweepSaysWhichMetricsItLeftOutAndWhy(string jobs)
    {
        string root = TestData.TempDir("sweep-notes-" + jobs);
        // Two thirds of the tiny grid, without a generator: FactorVAE has no images for some sampled factor values.
        var tiny = TestData.Tiny();
        tiny.Subset([.. Enumerable.Range(0, tiny.Count).Where(i => i % 3 != 0)]).Save(Path.Combine(root, "subset.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """
            {"base": {"epochs": 1, "dataset": "subset.npz", "latent": 3, "batch": 16, "decoder": "deconv", "seed": 0},
             "metrics": ["mig", "factorvae"], "metric_samples": 0.01}
            """);
        var r = Cli.Run("sweep", planFile, "--out", dir, "--threads", "1", "--jobs", jobs);
        Assert.True(r.ExitCode == 0, r.Err);
        var note = Assert.Single(r.Err.Split('\n'), l => l.Contains("left out"));
        Assert.StartsWith("sbvae: note: [0] ", note);
        Assert.Contains("factorvae left out", note);
    }
}
