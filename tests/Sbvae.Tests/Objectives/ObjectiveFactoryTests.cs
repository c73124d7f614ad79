using Sbvae.Objectives;

namespace Sbvae.Tests.Objectives;

public class ObjectiveFactoryTests
{
    static Objective Create(string name, double beta = 1, double? gamma = null, double? lambdaOd = null, double? lambdaD = null,
        double? capacityMax = null, long? capacitySteps = null, long datasetSize = 1000, long totalSteps = 5000) =>
        Objective.Create(name, beta, gamma, lambdaOd, lambdaD, capacityMax, capacitySteps, datasetSize, totalSteps);

    [Fact]
    public void EveryNameMakesItsObjective()
    {
        Assert.Equal(["betavae", "factorvae", "betatcvae", "dipvae1", "dipvae2", "annealed"], Objective.Names);
        foreach (var name in Objective.Names) Assert.Equal(name, Create(name).Name);
        Assert.Equal("dipvae2", Create("DIPVAE2").Name);
    }

    [Fact]
    public void NullHyperparametersTakeTheStudyDefaults()
    {
        Assert.Equal(10, Assert.IsType<FactorVae>(Create("factorvae")).Gamma);
        var annealed = Assert.IsType<AnnealedVae>(Create("annealed", totalSteps: 300_000));
        Assert.Equal((1000.0, 25.0, 300_000L), (annealed.Gamma, annealed.CapacityMax, annealed.CapacitySteps));
        var dip1 = Assert.IsType<DipVae>(Create("dipvae1"));
        Assert.Equal((DipType.I, 10.0, 100.0), (dip1.Type, dip1.LambdaOd, dip1.LambdaD));
        var dip2 = Assert.IsType<DipVae>(Create("dipvae2", lambdaOd: 5));
        Assert.Equal((DipType.II, 5.0, 5.0), (dip2.Type, dip2.LambdaOd, dip2.LambdaD));
    }

    [Fact]
    public void GivenHyperparametersAreUsed()
    {
        Assert.Equal(4, Assert.IsType<BetaVae>(Create("betavae", beta: 4)).Beta);
        Assert.Equal(35, Assert.IsType<FactorVae>(Create("factorvae", gamma: 35)).Gamma);
        var tc = Assert.IsType<BetaTcVae>(Create("betatcvae", beta: 6, datasetSize: 737_280));
        Assert.Equal((6.0, 737_280L), (tc.Beta, tc.DatasetSize));
        var annealed = Assert.IsType<AnnealedVae>(Create("annealed", gamma: 100, capacityMax: 5, capacitySteps: 1000));
        Assert.Equal((100.0, 5.0, 1000L), (annealed.Gamma, annealed.CapacityMax, annealed.CapacitySteps));
        var dip = Assert.IsType<DipVae>(Create("dipvae1", lambdaOd: 2, lambdaD: 3));
        Assert.Equal((2.0, 3.0), (dip.LambdaOd, dip.LambdaD));
    }

    [Fact]
    public void UnknownNamesAndBadValuesAreRefusedInOneLine()
    {
        var unknown = Assert.Throws<SbvaeException>(() => Create("infovae"));
        Assert.Contains("betavae, factorvae, betatcvae, dipvae1, dipvae2, annealed", unknown.Message);
        var cases = new (Func<Objective> Make, string Names)[]
        {
            (() => Create("betavae", beta: -1), "beta"),
            (() => Create("betatcvae", beta: double.NaN), "beta"),
            (() => Create("factorvae", gamma: -0.5), "gamma"),
            (() => Create("annealed", gamma: double.PositiveInfinity), "gamma"),
            (() => Create("dipvae1", lambdaOd: -1), "lambda_od"),
            (() => Create("dipvae2", lambdaD: double.NaN), "lambda_d"),
            (() => Create("annealed", capacityMax: -25), "capacity max"),
            (() => Create("annealed", capacitySteps: 0), "capacity steps"),
            (() => Create("annealed", totalSteps: 0), "capacity steps"),
            (() => Create("betatcvae", datasetSize: 0), "dataset size"),
            (() => Create("betavae", gamma: -1), "gamma"), // checked even where unused
        };
        foreach (var (make, what) in cases)
        {
            var e = Assert.Throws<SbvaeException>(make);
            Assert.Contains(what, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Assert.DoesNotContain('\n', unknown.Message);
    }
}
