using System.Text.Json;
using Sbvae.Experiments;
using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>Plans that run the paper's experiments: their settings as keys and axes, the data they train on, and their results in aggregate.</summary>
public class ExperimentPlanTests
{
    static SweepPlan Parse(string json) => SweepPlan.Parse(json, "plan.json", Path.GetTempPath());

    [Fact]
    public void ExperimentSettingsAreAxesAndReachEachEntry()
    {
        var plan = Parse("""{"experiment": "dependent", "base": {"epochs": 1}, "axes": {"strength": [0, 0.9], "seed": [0, 1]}}""");
        Assert.Equal(ExperimentKind.Dependent, plan.Experiment);
        Assert.Equal(4, plan.Entries.Count);
        Assert.Equal([0.0, 0.0, 0.9, 0.9], plan.Entries.Select(e => e.ExperimentOptions.Strength));
        // The dependent experiment draws its subset with the entry's training seed.
        Assert.Equal([0, 1, 0, 1], plan.Entries.Select(e => e.ExperimentOptions.Seed));
        Assert.Equal("strength=0.9,seed=1", plan.Entries[3].Name);
        // The normal form keeps the experiment, so a folder's plan.json is compared with it.
        Assert.Equal(plan.ToJson(), Parse(plan.ToJson()).ToJson());
        Assert.Contains("\"experiment\": \"dependent\"", plan.ToJson());
    }

    [Theory]
    [InlineData("""{"base": {"object_size": 4}}""", "setting of the small experiment")]
    [InlineData("""{"experiment": "heldout", "axes": {"object_size": [2, 4]}}""", "this plan runs heldout")]
    [InlineData("""{"experiment": "small", "base": {"object_size": 0}}""", "object size must be at least 1")]
    [InlineData("""{"experiment": "dependent", "base": {"strength": 1.5}}""", "strength must be in [0, 1]")]
    [InlineData("""{"experiment": "heldout", "base": {"region": "0.5,0.4,0,1"}}""", "region bounds")]
    [InlineData("""{"experiment": "sideways"}""", "unknown experiment 'sideways'")]
    [InlineData("""{"experiment": "small", "base": {"dataset": "x.npz"}}""", "renders its own dataset")]
    public void BadExperimentPlansAreRefusedInOneLine(string json, string expected)
    {
        var e = Assert.Throws<SbvaeException>(() => Parse(json));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AHeldOutPlanTrainsOutsideTheRegionAndAggregateTabulatesItsRatio()
    {
        string root = TestData.TempDir("xplan");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """
            {"experiment": "heldout",
             "base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "threads": 1, "region": "0.3,0.7,0.3,0.7"},
             "axes": {"decoder": ["sbd", "deconv"]}}
            """);
        var run = Cli.Run(["sweep", planFile, "--out", dir, "--threads", "1"]);
        Assert.True(run.ExitCode == 0, run.Err);

        // The runs trained on the images outside the region, written once for both entries.
        var trainFile = Assert.Single(Directory.GetFiles(Path.Combine(dir, SweepRunner.DataDir)));
        var train = Sbvae.Data.ImageDataset.Load(trainFile);
        var full = TestData.Tiny();
        var region = Sbvae.Data.FactorRegion.Parse("0.3,0.7,0.3,0.7");
        int inside = Enumerable.Range(0, full.Count).Count(i => region.Contains(full.FactorValues[i * full.NumFactors], full.FactorValues[i * full.NumFactors + 1]));
        Assert.True(inside > 0);
        Assert.Equal(full.Count - inside, train.Count);

        var plan = SweepPlan.Load(planFile);
        foreach (var entry in plan.Entries)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(SweepRunner.EntryDir(dir, entry), SweepRunner.ExperimentFile)));
            var values = doc.RootElement.GetProperty("values");
            double ratio = values.GetProperty("heldout_ratio").GetDouble();
            Assert.Equal(values.GetProperty("heldout_inside").GetDouble() / values.GetProperty("heldout_outside").GetDouble(), ratio, 12);
            Assert.True(values.GetProperty("probe_r2").GetDouble() <= 1);
            Assert.True(values.GetProperty("full_mse").GetDouble() > 0);
            // The reconstruction figure shows the region the runs never saw.
            using var model = Sbvae.Checkpoints.TrainedModel.Load(SweepRunner.EntryDir(dir, entry));
            var shown = SweepReconstructions.Shown(entry, model);
            Assert.Equal(inside, shown.Count);
            Assert.All(Enumerable.Range(0, shown.Count), i =>
                Assert.True(region.Contains(shown.FactorValues[i * shown.NumFactors], shown.FactorValues[i * shown.NumFactors + 1])));
        }

        var agg = Cli.Run(["aggregate", dir]);
        Assert.True(agg.ExitCode == 0, agg.Err);
        string md = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("heldout_ratio", md);
        Assert.Contains("probe_r2", md);
        Assert.True(new FileInfo(Path.Combine(dir, "summary" + SweepTable.LossesSuffix)).Length > 1000);
        // One row per configuration of 4 inputs beside their reconstructions, 16-px images drawn at 2×.
        using (var png = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "summary" + SweepReconstructions.Suffix)))
        {
            Assert.True(png.Height >= 2 * 32 && png.Height < 3 * 32 + 40, $"height {png.Height}");
            Assert.True(png.Width >= 8 * 32, $"width {png.Width}");
        }
        // disentanglement_lib's layout names the experiment as the evaluation of its values.
        using var dlib = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary" + SweepTable.DlibSuffix)));
        Assert.Contains(dlib.RootElement.EnumerateArray(), r =>
            r.GetProperty("evaluation_config.name").GetString() == "heldout" && r.TryGetProperty("evaluation_results.heldout_ratio", out _));

        // A second run of the plan finds everything done.
        var again = Cli.Run(["sweep", planFile, "--out", dir, "--threads", "1"]);
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Contains("already trained", again.Out);
    }
}
