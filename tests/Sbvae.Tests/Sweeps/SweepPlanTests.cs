using Sbvae.Models;
using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>Plan files: what they may say, how they expand into entries, and how they are refused.</summary>
public class SweepPlanTests
{
    static readonly string Here = Path.GetTempPath();

    static SweepPlan Parse(string json) => SweepPlan.Parse(json, "plan.json", Here);

    static string Error(string json) => Assert.Throws<SbvaeException>(() => Parse(json)).Message;

    [Fact]
    public void AxesCrossInPlanOrderWithTheLastVaryingFastest()
    {
        var plan = Parse("""{"base": {"epochs": 3, "dataset": null, "latent": 4}, "axes": {"seed": [0,1,2], "decoder": ["sbd","deconv"], "beta": [1, 4]}}""");
        Assert.Equal(12, plan.Entries.Count);
        Assert.Equal(["seed=0,decoder=sbd,beta=1", "seed=0,decoder=sbd,beta=4", "seed=0,decoder=deconv,beta=1", "seed=0,decoder=deconv,beta=4"],
            plan.Entries.Take(4).Select(e => e.Name));
        Assert.Equal("seed=2,decoder=deconv,beta=4", plan.Entries[11].Name);
        Assert.Equal(Enumerable.Range(0, 12), plan.Entries.Select(e => e.Index));
        var e7 = plan.Entries[7].Config(32);
        Assert.Equal(1, e7.Train.Seed);
        Assert.Equal(DecoderKind.Deconv, e7.Model.Decoder);
        Assert.Equal(4.0, e7.Model.Beta);
        Assert.Equal(4, e7.Model.Latent);
        Assert.Equal(32, e7.Model.ImageSize);
        Assert.All(plan.Entries, e => Assert.Equal(3, e.Epochs));
        Assert.All(plan.Entries, e => Assert.Null(e.Dataset));
        Assert.Equal(["decoder", "beta"], plan.ConfigurationAxes.Select(a => a.Option.Key));
    }

    [Fact]
    public void EveryTrainOptionIsAKeyUnderItsOptionName()
    {
        var plan = Parse("""
            {"base": {"epochs": 2, "latent": 7, "variance": 0.5, "batch": 8, "learning-rate": 0.001, "threads": 1, "device": "cpu",
                      "unpadded": true, "checkpoint-every": 2, "precision": "fp32", "dataset": "data/tiny.npz"},
             "axes": {"seed": [5]}}
            """);
        var c = plan.Entries.Single().Config(16);
        Assert.Equal((2, 7, 0.5, 8, 0.001, 1, true, 2, "fp32", 5), (c.Train.Epochs, c.Model.Latent, c.Model.Variance, c.Train.Batch,
            c.Train.LearningRate, c.Train.Threads, c.Model.Unpadded, c.Train.CheckpointEvery, c.Train.Precision, c.Train.Seed));
        Assert.Equal(Path.GetFullPath(Path.Combine(Here, "data", "tiny.npz")), c.Train.Dataset);
    }

    [Fact]
    public void NamesAreSafeFolderNames()
    {
        var plan = Parse("""{"axes": {"dataset": ["/data/my set.npz", null], "lr": [3e-4], "unpadded": [true]}}""");
        Assert.Equal(["dataset=my_set,lr=0.0003,unpadded=true", "dataset=reference,lr=0.0003,unpadded=true"], plan.Entries.Select(e => e.Name));
        Assert.Equal("run", Parse("""{"base": {"epochs": 1}}""").Entries.Single().Name);
        Assert.Contains("same folder name", Error("""{"axes": {"dataset": ["/a/x.npz", "/b/x.npz"]}}"""));
    }

    [Fact]
    public void TheNormalFormIdentifiesAPlan()
    {
        string relative = Parse("""{"base": {"dataset": "tiny.npz", "Epochs": 1}, "axes": {"seed": [0, 1]}}""").ToJson();
        string absolute = Parse($$$"""{"base": {"dataset": "{{{Path.Combine(Here, "tiny.npz").Replace("\\", "\\\\")}}}", "epochs": 1}, "axes": {"seed": [0, 1]}}""").ToJson();
        string other = Parse("""{"base": {"dataset": "tiny.npz", "epochs": 1}, "axes": {"seed": [0, 2]}}""").ToJson();
        Assert.Equal(relative, absolute);
        Assert.NotEqual(relative, other);
        Assert.Equal(relative, SweepPlan.Parse(relative, "copy", "/elsewhere").ToJson());
    }

    [Theory]
    [InlineData("""{"base": {"speed": 3}}""", "base: unknown key 'speed'")]
    [InlineData("""{"axes": {"sped": [1]}}""", "axes: unknown key 'sped'")]
    [InlineData("""{"axis": {"seed": [1]}}""", "unknown key 'axis'")]
    [InlineData("""{"base": {"epochs": "ten"}}""", "base.epochs: expected an integer")]
    [InlineData("""{"base": {"epochs": 1.5}}""", "base.epochs: expected an integer")]
    [InlineData("""{"base": {"epochs": 0}}""", "base.epochs: epochs must be")]
    [InlineData("""{"axes": {"beta": [1, -1]}}""", "axes.beta[1]: beta must be")]
    [InlineData("""{"axes": {"decoder": ["sbd", "vit"]}}""", "axes.decoder[1]: unknown decoder 'vit'")]
    [InlineData("""{"axes": {"precision": ["fp8"]}}""", "axes.precision[0]: unknown precision")]
    [InlineData("""{"axes": {"unpadded": ["yes"]}}""", "axes.unpadded[0]: expected true or false")]
    [InlineData("""{"axes": {"seed": []}}""", "axes.seed: an axis is a non-empty list")]
    [InlineData("""{"axes": {"seed": 3}}""", "axes.seed: an axis is a non-empty list")]
    [InlineData("""{"axes": {"seed": [1, 1]}}""", "axes.seed: a value appears twice")]
    [InlineData("""{"base": {"seed": 1}, "axes": {"seed": [1, 2]}}""", "axes.seed: 'seed' is both in base and an axis")]
    [InlineData("""{"base": {"lr": 0.1, "learning_rate": 0.2}}""", "base.learning_rate: 'lr' is set twice")]
    [InlineData("""{"metrics": ["mig", "magic"]}""", "metrics: unknown metric 'magic'")]
    [InlineData("""{"metric_samples": 0}""", "metric_samples: expected a number in (0, 10]")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"base": {"epochs": 1""", "not valid JSON")]
    public void BadPlansAreRefusedNamingTheKey(string json, string message)
    {
        string error = Error(json);
        Assert.StartsWith("plan.json: ", error);
        Assert.Contains(message, error);
        Assert.DoesNotContain('\n', error);
    }
}
