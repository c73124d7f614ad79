using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Tests.Data;
using Sbvae.Training;

namespace Sbvae.Tests.Evaluation;

/// <summary>FactorVAE and BetaVAE need images for chosen factor values: a subset of a grid renders them on demand.</summary>
public class RenderedGroundTruthTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    static ImageDataset ColoredSubset(int count = 60)
    {
        var data = ColoredSprites.Create(new DSpritesLike(new DSpritesLikeSpec()), count, seed: 3);
        return new ImageDataset(data.Count, data.Height, data.Width, 3, data.Pixels, data.FactorNames, data.FactorValues, data.FactorClasses)
        { Generator = DatasetGenerators.ColoredSprites };
    }

    /// <summary>A representation any metric can score: where the object is and what colour it has.</summary>
    static Representation Centroid(RenderedGroundTruth truth, int side) => (factors, rng) =>
    {
        var images = truth.Images(factors, rng);
        int plane = side * side;
        return factors.Select((_, i) =>
        {
            double sum = 0, x = 0, y = 0, r = 0, g = 0, b = 0;
            for (int p = 0; p < plane; p++)
            {
                float v = images[i * 3 * plane + p] + images[i * 3 * plane + plane + p] + images[i * 3 * plane + 2 * plane + p];
                sum += v; x += v * (p % side); y += v * (p / side);
                r += images[i * 3 * plane + p]; g += images[i * 3 * plane + plane + p]; b += images[i * 3 * plane + 2 * plane + p];
            }
            sum = Math.Max(sum, 1e-6);
            return new[] { (float)(x / sum), (float)(y / sum), (float)(r / sum), (float)(g / sum), (float)(b / sum) };
        }).ToArray();
    };

    [Fact]
    public void FactorVaeAndBetaVaeRunOnAColoredSpritesSubset()
    {
        var data = ColoredSubset();
        var lookup = ModelEvaluation.Truth(data);
        Assert.Throws<SbvaeException>(() => lookup.IndicesOf(lookup.SampleFactors(50, new Random(1))));
        var truth = RenderedGroundTruth.For(data);
        Assert.NotNull(truth);
        var sizes = new MetricSizes { MigPoints = 200, Train = 200, Test = 100, VoteBatch = 16 };
        var scores = MetricSuite.Sampled(truth, Centroid(truth, data.Height), ["factorvae", "betavae"], 0, sizes);
        Assert.InRange(scores["factorvae"], 0, 1);
        Assert.InRange(scores["betavae"], 0, 1);
    }

    [Fact]
    public void RenderedImagesMatchTheStoredOnesForTheSameClasses()
    {
        var data = ColoredSubset(5);
        var truth = RenderedGroundTruth.For(data)!;
        var stored = new float[3 * 64 * 64];
        data.Gather([2], stored);
        var rendered = truth.Images([data.Classes(2).ToArray().Select(c => (int)c).Where((_, j) => data.FactorSizes[j] > 1).ToArray()], new Random(0));
        // Same shape mask; the colour is drawn again within the same bins, so compare which pixels are on.
        Assert.Equal(stored.Select(v => v > 0), rendered.Select(v => v > 0));
    }

    [Fact]
    public void TheGeneratorIsStoredInTheFile()
    {
        string path = tmp.File("c.npz");
        ColoredSubset(4).Save(path);
        Assert.Equal(DatasetGenerators.ColoredSprites, ImageDataset.Load(path).Generator);
        TestData.Tiny().Save(path);
        Assert.Null(ImageDataset.Load(path).Generator);
    }

    [Fact]
    public void ASubsetWithoutAGeneratorRunsTheAllPointsMetricsAndSaysWhy()
    {
        var tiny = TestData.Tiny();
        var subset = tiny.Subset([.. Enumerable.Range(0, tiny.Count).Where(i => i % 3 != 0)]);
        var config = new RunConfig(new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 3, ImageSize = 16 },
            new TrainConfig { Epochs = 1, Batch = 8, Seed = 1, Threads = 1 });
        TrainingSession.Start(tmp.File("run"), config, subset, cancel: TestContext.Current.CancellationToken);
        using var model = TrainedModel.Load(tmp.File("run"));
        var notes = new List<string>();
        var scores = ModelEvaluation.Evaluate(model, subset, MetricSuite.All, 0, new MetricSizes { DciTrees = 5 }, notes.Add);
        Assert.Contains("mig", scores.Keys);
        Assert.Contains("sap", scores.Keys);
        Assert.Contains("dci_disentanglement", scores.Keys);
        Assert.DoesNotContain("factorvae", scores.Keys);
        Assert.DoesNotContain("betavae", scores.Keys);
        var note = Assert.Single(notes);
        Assert.Contains("factorvae and betavae left out", note);
        Assert.DoesNotContain('\n', note);
    }
}
