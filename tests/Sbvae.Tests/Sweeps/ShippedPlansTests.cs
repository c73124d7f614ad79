using Sbvae.Models;
using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>The plans in the repository's plans/ folder load, and say what the README says they do.</summary>
public class ShippedPlansTests
{
    static string PlansDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "sbvae.slnx"))) return Path.Combine(dir.FullName, "plans");
        throw new InvalidOperationException("the repository root (sbvae.slnx) is not above the test binaries");
    }

    [Fact]
    public void EveryShippedPlanLoads()
    {
        var files = Directory.GetFiles(PlansDir(), "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files) Assert.NotEmpty(SweepPlan.Load(file).Entries);
    }

    [Theory]
    [InlineData("walkthrough.json", null, 6)]
    [InlineData("complementary.json", null, 24)]
    [InlineData("small.json", Sbvae.Experiments.ExperimentKind.Small, 36)]
    [InlineData("small-seeds.json", Sbvae.Experiments.ExperimentKind.Small, 28)]
    [InlineData("dependent.json", Sbvae.Experiments.ExperimentKind.Dependent, 24)]
    [InlineData("heldout.json", Sbvae.Experiments.ExperimentKind.HeldOut, 6)]
    public void TheStudiesPlansRunTheirExperimentOverBothDecoders(string file, Sbvae.Experiments.ExperimentKind? experiment, int entries)
    {
        var plan = SweepPlan.Load(Path.Combine(PlansDir(), file));
        Assert.Equal(experiment, plan.Experiment);
        Assert.Equal(entries, plan.Entries.Count);
        foreach (var decoder in new[] { DecoderKind.Deconv, DecoderKind.Sbd })
            Assert.Equal(entries / 2, plan.Entries.Count(e => e.Template.Model.Decoder == decoder));
    }

    [Fact]
    public void ThePrecisionPlanPairsFp32AndBf16RunsOfBothDecodersOverFourSeeds()
    {
        var plan = SweepPlan.Load(Path.Combine(PlansDir(), "precision.json"));
        Assert.Equal(16, plan.Entries.Count);
        Assert.Equal(["decoder", "precision"], plan.ConfigurationAxes.Select(a => a.Option.Key));
        var configs = plan.Entries.Select(e => e.Config(64)).ToList();
        Assert.All(configs, c => Assert.Equal(20, c.Train.Epochs));
        Assert.All(configs, c => Assert.Equal(2, c.Train.Threads));
        Assert.All(plan.Entries, e => Assert.Null(e.Dataset)); // the reference circles
        foreach (var decoder in new[] { DecoderKind.Deconv, DecoderKind.Sbd })
            foreach (var precision in new[] { "fp32", "bf16" })
                Assert.Equal([0, 1, 2, 3], configs.Where(c => c.Model.Decoder == decoder && c.Train.Precision == precision).Select(c => c.Train.Seed).Order());
    }

    [Fact]
    public void TheObjectivesPlanRunsSixObjectivesWithBothDecoders()
    {
        var plan = SweepPlan.Load(Path.Combine(PlansDir(), "objectives.json"));
        Assert.Equal(12, plan.Entries.Count);
        var models = plan.Entries.Select(e => e.Config(64)).ToList();
        Assert.All(models, c => Assert.Equal((5, 0), (c.Train.Epochs, c.Train.Seed)));
        Assert.All(plan.Entries, e => Assert.Null(e.Dataset));
        Assert.All(models, c => Assert.Equal("gaussian", c.Model.Likelihood));
        foreach (var name in Sbvae.Models.ModelConfig.ObjectiveNames)
            Assert.Equal([DecoderKind.Sbd, DecoderKind.Deconv], models.Where(c => c.Model.Objective == name).Select(c => c.Model.Decoder));
        var m = models.Select(c => c.Model).DistinctBy(c => c.Objective).ToDictionary(c => c.Objective);
        Assert.Equal(4.0, m["betavae"].Beta);
        Assert.Equal(10.0, m["factorvae"].Gamma);
        Assert.Equal(6.0, m["betatcvae"].Beta);
        Assert.Equal(10.0, m["dipvae1"].LambdaOd);
        Assert.Equal(10.0, m["dipvae2"].LambdaOd);
        Assert.Equal(25.0, m["annealed"].CapacityMax);
    }
}
