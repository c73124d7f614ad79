using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Reports;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Reports;

/// <summary>The comparison report states each run's objective, likelihood and hyperparameters, and its mse.</summary>
public class ObjectiveReportTests
{
    [Theory]
    [InlineData("betavae", null, "betavae (β = 1)")]
    [InlineData("factorvae", null, "factorvae (γ = 10)")]
    [InlineData("factorvae", 5.0, "factorvae (γ = 5)")]
    [InlineData("dipvae1", null, "dipvae1 (λ_od = 10, λ_d = 100)")]
    [InlineData("dipvae2", null, "dipvae2 (λ_od = 10, λ_d = 10)")]
    [InlineData("annealed", null, "annealed (γ = 1000, C_max = 25 nats over all steps)")]
    public void ObjectivesAreStatedWithTheirHyperparameters(string objective, double? gamma, string text) =>
        Assert.Equal(text, ObjectiveText.Objective(new ModelConfig { Objective = objective, Gamma = gamma }));

    [Fact]
    public void LikelihoodsAreStatedWithTheirParameter()
    {
        Assert.Equal("gaussian (σ_x² = 0.3)", ObjectiveText.Likelihood(new ModelConfig()));
        Assert.Equal("bernoulli", ObjectiveText.Likelihood(new ModelConfig { Likelihood = "bernoulli" }));
        Assert.Equal("laplace (b = 0.5)", ObjectiveText.Likelihood(new ModelConfig { Likelihood = "laplace", Scale = 0.5 }));
        Assert.Equal("betatcvae (β = 6)", ObjectiveText.Objective(new ModelConfig { Objective = "betatcvae", Beta = 6 }));
    }

    [Fact]
    public void TheReportShowsEachRunsObjectiveLikelihoodAndMse()
    {
        string dir = TestData.TempDir("objective-report");
        var data = TestData.Tiny();
        var configs = new[]
        {
            new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 3, ImageSize = 16, Objective = "factorvae", Gamma = 5 },
            new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 3, ImageSize = 16, Likelihood = "bernoulli" },
        };
        var runs = new List<TrainedModel>();
        foreach (var (c, i) in configs.Select((c, i) => (c, i)))
        {
            string run = Path.Combine(dir, $"run{i}");
            TrainingSession.Start(run, new RunConfig(c, new TrainConfig { Epochs = 1, Threads = 1 }), data, cancel: TestContext.Current.CancellationToken);
            runs.Add(TrainedModel.Load(run));
        }
        try
        {
            var report = ComparisonBuilder.Build(runs, data, dir, "test", quick: true);
            Assert.Equal(["factorvae (γ = 5)", "betavae (β = 1)"], report.Models.Select(m => m.Objective));
            Assert.Equal(["gaussian (σ_x² = 0.3)", "bernoulli"], report.Models.Select(m => m.Likelihood));
            for (int i = 0; i < 2; i++)
                Assert.Equal(runs[i].State.History[^1].Terms["mse"], report.Models[i].FinalMse);
            Assert.False(report.ReferenceData);
            string md = ReportWriter.Markdown(report, dir);
            Assert.Contains("| model | objective | likelihood | epochs | reconstruction | walk-through | KL | walk-through | mse (per pixel) |", md);
            Assert.Contains("| spatial broadcast | factorvae (γ = 5) | gaussian (σ_x² = 0.3) | 1 |", md);
            Assert.Contains("| deconv | betavae (β = 1) | bernoulli | 1 |", md);
            Assert.Contains(report.Models[1].FinalMse.ToString("0.00000", System.Globalization.CultureInfo.InvariantCulture), md);
            Assert.Contains("factorvae (γ = 5)", ReportWriter.Html(report));
        }
        finally
        {
            foreach (var r in runs) r.Dispose();
        }
    }
}
