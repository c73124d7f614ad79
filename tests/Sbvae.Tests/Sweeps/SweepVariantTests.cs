using Sbvae.Models;
using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>Plan variants: sets of options (an objective with its hyperparameters) crossed with the axes.</summary>
public class SweepVariantTests
{
    static readonly string Here = Path.GetTempPath();

    static SweepPlan Parse(string json) => SweepPlan.Parse(json, "plan.json", Here);

    static string Error(string json) => Assert.Throws<SbvaeException>(() => Parse(json)).Message;

    const string TwoObjectives = """
        {"base": {"epochs": 2, "latent": 4},
         "variants": [{"objective": "betavae", "beta": 4}, {"objective": "factorvae", "gamma": 10}],
         "axes": {"decoder": ["sbd", "deconv"], "seed": [0, 1]}}
        """;

    [Fact]
    public void EachVariantIsCrossedWithTheAxesAndNamedByItsKeysFirst()
    {
        var plan = Parse(TwoObjectives);
        Assert.Equal(8, plan.Entries.Count);
        Assert.Equal(["objective=betavae,beta=4,decoder=sbd,seed=0", "objective=betavae,beta=4,decoder=sbd,seed=1",
                      "objective=betavae,beta=4,decoder=deconv,seed=0", "objective=betavae,beta=4,decoder=deconv,seed=1",
                      "objective=factorvae,gamma=10,decoder=sbd,seed=0"], plan.Entries.Take(5).Select(e => e.Name));
        Assert.Equal(plan.Entries.Count, plan.Entries.Select(e => e.Name).Distinct().Count());
        var beta = plan.Entries[3].Config(16).Model;
        Assert.Equal(("betavae", 4.0, (double?)null, DecoderKind.Deconv, 4), (beta.Objective, beta.Beta, beta.Gamma, beta.Decoder, beta.Latent));
        var factor = plan.Entries[7].Config(16);
        Assert.Equal(("factorvae", 1.0, (double?)10, DecoderKind.Deconv, 1), (factor.Model.Objective, factor.Model.Beta, factor.Model.Gamma, factor.Model.Decoder, factor.Train.Seed));
        Assert.Equal(["objective", "beta", "decoder", "seed"], plan.Entries[0].Settings.Select(s => s.Option.Key));
    }

    [Fact]
    public void WithoutVariantsThePlanAndItsNormalFormAreAsBefore()
    {
        const string json = """{"base": {"epochs": 1}, "axes": {"seed": [0, 1], "beta": [1, 4]}}""";
        var plan = Parse(json);
        Assert.Empty(plan.Variants);
        Assert.Equal(["seed=0,beta=1", "seed=0,beta=4", "seed=1,beta=1", "seed=1,beta=4"], plan.Entries.Select(e => e.Name));
        Assert.DoesNotContain("variants", plan.ToJson());
    }

    [Fact]
    public void TheNormalFormKeepsTheVariants()
    {
        var plan = Parse(TwoObjectives);
        string json = plan.ToJson();
        Assert.Contains("variants", json);
        var again = SweepPlan.Parse(json, "copy", Here);
        Assert.Equal(json, again.ToJson());
        Assert.Equal(plan.Entries.Select(e => e.Name), again.Entries.Select(e => e.Name));
        Assert.NotEqual(json, Parse(TwoObjectives.Replace("\"gamma\": 10", "\"gamma\": 20")).ToJson());
    }

    [Fact]
    public void AnEmptyVariantIsTheBaseAndVariantsAloneMakeEntries()
    {
        var plan = Parse("""{"base": {"epochs": 1}, "variants": [{}, {"objective": "dipvae1", "lambda_od": 5}]}""");
        Assert.Equal(["run", "objective=dipvae1,lambda_od=5"], plan.Entries.Select(e => e.Name));
        Assert.Equal("betavae", plan.Entries[0].Config(16).Model.Objective);
        Assert.Equal(5.0, plan.Entries[1].Config(16).Model.LambdaOd);
    }

    [Theory]
    [InlineData("""{"variants": [{"objective": "betavae"}, {"objective": "factorvae", "gamma": -1}]}""", "variants[1].gamma: gamma must be")]
    [InlineData("""{"variants": [{"objective": "betavae"}, {"objective": "factorvae", "gama": 1}]}""", "variants[1]: unknown key 'gama'")]
    [InlineData("""{"variants": [{"objective": "vqvae"}]}""", "variants[0].objective: unknown objective 'vqvae'")]
    [InlineData("""{"variants": [{"objective": "betavae", "beta": "four"}]}""", "variants[0].beta: expected a number")]
    [InlineData("""{"variants": []}""", "variants: expected a non-empty list")]
    [InlineData("""{"variants": {"objective": "betavae"}}""", "variants: expected a non-empty list")]
    [InlineData("""{"variants": [3]}""", "variants[0]: expected an object")]
    [InlineData("""{"base": {"beta": 2}, "variants": [{"beta": 4}]}""", "variants[0].beta: 'beta' is both in base and a variant")]
    [InlineData("""{"axes": {"decoder": ["sbd"]}, "variants": [{"decoder": "deconv"}]}""", "variants[0].decoder: 'decoder' is both an axis and in a variant")]
    [InlineData("""{"variants": [{"objective": "dipvae1"}, {"objective": "dipvae1"}]}""", "variants[1]: the same variant as variants[0]")]
    public void BadVariantsAreRefusedNamingTheKey(string json, string message)
    {
        string error = Error(json);
        Assert.StartsWith("plan.json: ", error);
        Assert.Contains(message, error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void AHyperparameterOfAnotherObjectiveIsRefusedNamingTheEntry()
    {
        string error = Error("""
            {"variants": [{"objective": "factorvae"}, {"objective": "betavae"}],
             "axes": {"decoder": ["sbd", "deconv"], "gamma": [5, 10]}}
            """);
        Assert.Equal("plan.json: entry 4 (objective=betavae, decoder=sbd, gamma=5): --gamma is not a hyperparameter of betavae (it is for factorvae and annealed)", error);

        Assert.Equal("plan.json: entry 1 (likelihood=bernoulli): --variance is the gaussian likelihood's, not bernoulli's",
            Error("""{"base": {"variance": 0.5}, "variants": [{"likelihood": "gaussian"}, {"likelihood": "bernoulli"}]}"""));
        Assert.StartsWith("plan.json: entry 0 (run): --lambda-od is not a hyperparameter of betavae",
            Error("""{"base": {"lambda_od": 2}}"""));
    }

    [Fact]
    public void ListShowsTheVariantEntries()
    {
        string root = TestData.TempDir("sweep-variants-list");
        string planFile = Path.Combine(root, "plan.json");
        File.WriteAllText(planFile, """{"variants": [{"objective": "annealed", "capacity_max": 5}, {"objective": "betatcvae", "beta": 6}], "axes": {"decoder": ["sbd", "deconv"]}}""");
        var r = Cli.Run("sweep", planFile, "--list");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(["0  objective=annealed,capacity_max=5,decoder=sbd", "1  objective=annealed,capacity_max=5,decoder=deconv",
                      "2  objective=betatcvae,beta=6,decoder=sbd", "3  objective=betatcvae,beta=6,decoder=deconv"],
            r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));

        File.WriteAllText(planFile, """{"variants": [{"objective": "betavae", "capacity_max": 5}]}""");
        var bad = Cli.Run("sweep", planFile, "--list");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("entry 0 (objective=betavae, capacity_max=5): --capacity-max is not a hyperparameter of betavae", bad.Err);
        Assert.Single(bad.Err.Trim().Split('\n'));
    }
}
