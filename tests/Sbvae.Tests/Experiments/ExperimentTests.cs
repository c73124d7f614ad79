using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Experiments;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Experiments;

public class ExperimentTests
{
    [Fact]
    public void ReconstructionErrorIsTheLossTermOfTheDecodedMean()
    {
        string dir = TestData.TempDir("recon-error");
        var data = TestData.Tiny();
        TrainingSession.Start(Path.Combine(dir, "run"), new RunConfig(new ModelConfig { Latent = 3, ImageSize = 16, Variance = 0.25 },
            new TrainConfig { Epochs = 1, Threads = 1 }), data, cancel: TestContext.Current.CancellationToken);
        using var model = TrainedModel.Load(Path.Combine(dir, "run"));
        double[] errors = ReconstructionError.PerImage(model, data, batchSize: 7);
        Assert.Equal(data.Count, errors.Length);
        using var images = model.Images(data);
        float[] recon = model.Reconstruct(images);
        for (int i = 0; i < data.Count; i += 13)
        {
            float[] x = DatasetImages.Chw(data, i);
            double expected = x.Select((v, j) => Math.Pow(v - recon[i * x.Length + j], 2)).Sum() / (2 * 0.25);
            Assert.Equal(expected, errors[i], 3);
        }
    }

    [Fact]
    public void ErrorGridAveragesEachPositionOverTheOtherFactors()
    {
        var data = TestData.Tiny(); // 6×6 positions × 2 colours, colour innermost
        double[] errors = Enumerable.Range(0, data.Count).Select(i => (double)i).ToArray();
        var grid = HeldOutAnalysis.ErrorGrid(data, errors, 0, 1);
        Assert.Equal(6, grid.GetLength(0));
        Assert.Equal(6, grid.GetLength(1));
        // x class 2, y class 4: rows (2·6 + 4)·2 and +1 → mean 32.5; grid is [y, x]
        Assert.Equal(32.5, grid[4, 2], 9);
    }

    [Fact]
    public void DatasetsOfEachExperiment()
    {
        var baseData = SpriteGenerator.Generate(new SpriteSpec { NumPos = 10, Sizes = [4], Colors = ["red", "lime", "blue"], ImgSize = 16 });
        var held = ExperimentData.Build(ExperimentKind.HeldOut, new ExperimentOptions(), baseData);
        Assert.Equal(baseData.Count, held.Train.Count + held.HeldOut!.Count);
        Assert.Same(baseData, held.Full);
        var dep = ExperimentData.Build(ExperimentKind.Dependent, new ExperimentOptions { Strength = 1 }, baseData);
        Assert.Equal(baseData.Count / 3, dep.Train.Count);
        Assert.Null(dep.HeldOut);
        var small = ExperimentData.Build(ExperimentKind.Small, new ExperimentOptions { ObjectSize = 3 });
        Assert.Equal(new SpriteSpec().Count, small.Train.Count);
        Assert.Equal(3, small.Train.FactorValues[3]); // size factor of row 0
    }

    [Fact]
    public void HeldOutExperimentEndToEnd()
    {
        string dir = TestData.TempDir("experiment");
        string basePath = Path.Combine(dir, "base.npz");
        SpriteGenerator.Generate(new SpriteSpec { NumPos = 8, Shapes = ["square"], Sizes = [5], Colors = ["red", "lime"], ImgSize = 16 }).Save(basePath);
        string outDir = Path.Combine(dir, "heldout");
        var r = Cli.Run("experiment", "heldout", "--dataset", basePath, "--region", "0.25,0.75,0.25,0.75", "--epochs", "1", "--latent", "3",
            "--threads", "1", "--quick", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var train = ImageDataset.Load(Path.Combine(outDir, "train.npz"));
        var heldOut = ImageDataset.Load(Path.Combine(outDir, "heldout.npz"));
        Assert.Equal(128, train.Count + heldOut.Count);
        Assert.Equal(4 * 4 * 2, heldOut.Count); // x, y ∈ {2/7, 3/7, 4/7, 5/7}, 2 colours
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("## Generalisation to a held-out region", md);
        Assert.Contains("error inside (held out)", md);
        foreach (var png in new[] { "heldout_reconstructions.png", "heldout_error_sbd.png", "heldout_error_deconv.png" })
        {
            string path = Path.Combine(outDir, "figures", png);
            Assert.True(new FileInfo(path).Length > 1000, png);
            Assert.Contains($"figures/{png}", md);
        }
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Generalisation to a held-out region", html);
        Assert.True(html.Split("data:image/png;base64,").Length - 1 >= 6, "inline figures");

        // Re-running continues: both runs are complete, so nothing trains and the report is rewritten.
        var again = Cli.Run("experiment", "heldout", "--dataset", basePath, "--region", "0.25,0.75,0.25,0.75", "--epochs", "1", "--latent", "3",
            "--threads", "1", "--quick", "--out", outDir);
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Contains("already trained", again.Out);

        // Another region into the same folder would train on a stale dataset: refused, nothing changed.
        long before = new FileInfo(Path.Combine(outDir, "train.npz")).Length;
        var other = Cli.Run("experiment", "heldout", "--dataset", basePath, "--region", "0.1,0.4,0.1,0.4", "--epochs", "1", "--latent", "3",
            "--threads", "1", "--quick", "--out", outDir);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("another experiment", other.Err);
        Assert.Equal(before, new FileInfo(Path.Combine(outDir, "train.npz")).Length);
    }
}

public class ExperimentSectionTests
{
    static Sbvae.Reports.ModelSummary Model(string label, double kl, double recon, double factorVae, double mig) =>
        new(label, "/runs/" + label, 20, kl, recon, 60, 200, 0.9, new Dictionary<string, double> { ["factorvae"] = factorVae, ["mig"] = mig });

    [Fact]
    public void SmallObjectsNameTheBetterReconstructionAndFlagCollapse()
    {
        var data = new ExperimentData(TestData.Tiny(), TestData.Tiny(), null, "tiny squares");
        var section = ExperimentSections.For(ExperimentKind.Small, data,
            [Model("deconv", 0.01, 26.2, 0, 0.01), Model("spatial broadcast", 9.5, 13.1, 0.8, 0.2)]);
        Assert.Equal("Small objects", section.Title);
        Assert.Contains(section.Sentences, s => s.Contains("spatial broadcast decoder ends with a reconstruction term of 13.10 against 26.20") && s.Contains("2.0×"));
        Assert.Contains(section.Sentences, s => s.StartsWith("The deconv model's KL is 0.01") && s.Contains("--variance"));
        Assert.DoesNotContain(section.Sentences, s => s.StartsWith("The spatial broadcast model's KL"));
        Assert.Equal(2, section.TableRows.Count);
    }

    [Fact]
    public void DependentFactorsNameTheBetterSeparatedCode()
    {
        var data = new ExperimentData(TestData.Tiny(), TestData.Tiny(), null, "colour follows x");
        var section = ExperimentSections.For(ExperimentKind.Dependent, data,
            [Model("deconv", 12, 20, 0.55, 0.05), Model("spatial broadcast", 12, 18, 0.97, 0.3)]);
        Assert.Contains(section.Sentences, s => s.Contains("the spatial broadcast decoder's code separates the factors best (FactorVAE 0.97"));
    }
}

public class ExperimentDescriptionTests
{
    [Fact]
    public void SectionsReadAsSentences()
    {
        var baseData = SpriteGenerator.Generate(new SpriteSpec { NumPos = 6, Sizes = [4], Colors = ["red", "lime"], ImgSize = 16 });
        foreach (var kind in new[] { ExperimentKind.Small, ExperimentKind.Dependent })
        {
            var data = ExperimentData.Build(kind, new ExperimentOptions { Strength = 0.5 }, kind == ExperimentKind.Small ? null : baseData);
            var section = ExperimentSections.For(kind, data, []);
            Assert.StartsWith("Both models were trained on ", section.Sentences[0]);
            Assert.DoesNotContain("trained on trained", section.Sentences[0]);
        }
    }
}
