using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Tests.Data;
using Sbvae.Training;

namespace Sbvae.Tests.Evaluation;

/// <summary>FactorVAE and BetaVAE on a store that is a full factor grid draw their images from it; a partial grid is refused.</summary>
public class StoreGroundTruthTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    [Fact]
    public void AFullGridStoreFindsTheRowOfEveryCombination()
    {
        var small = new SmallDSprites();
        var store = DatasetStores.Open(small.Write(tmp.File("d.npz")), inMemoryBytes: 0);
        Assert.IsType<DSpritesStore>(store);
        var truth = StoreGroundTruth.FullGrid(store, out string? whyNot);
        Assert.Null(whyNot);
        Assert.NotNull(truth);
        // Colour has one class: the varying factors are shape, scale, orientation, x and y.
        Assert.Equal(SmallDSprites.GridSizes.Where(s => s > 1), truth.FactorsNumValues);
        var classes = new int[6];
        foreach (int row in new[] { 0, 7, 50, small.Count - 1 })
        {
            store.ClassesOf(row, classes);
            Assert.Equal(row, truth.Row([.. classes.Where((_, j) => SmallDSprites.GridSizes[j] > 1)]));
        }
    }

    [Fact]
    public void APartialGridIsRefusedWithAReason()
    {
        var tiny = TestData.Tiny();
        Assert.NotNull(StoreGroundTruth.FullGrid(tiny, out _));
        // As many rows as the grid has combinations, but one combination twice and another missing.
        var rows = Enumerable.Range(0, tiny.Count).ToArray();
        rows[^1] = 0;
        var partial = tiny.Subset(rows);
        Assert.Null(StoreGroundTruth.FullGrid(partial, out string? whyNot));
        Assert.Contains($"cover {tiny.Count - 1} of their {tiny.Count}", whyNot);
        Assert.Null(StoreGroundTruth.FullGrid(tiny.Subset([.. Enumerable.Range(0, tiny.Count - 1)]), out whyNot));
        Assert.Contains("fewer than the combinations", whyNot);
    }

    /// <summary>evaluate's path for a store read from the file (not in memory): every metric, FactorVAE and BetaVAE among them.</summary>
    [Fact]
    public void EveryMetricRunsOnADSpritesLayoutStore()
    {
        var small = new SmallDSprites();
        string file = small.Write(tmp.File("d.npz"));
        var config = new RunConfig(new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 3, ImageSize = SmallDSprites.Side },
            new TrainConfig { Steps = 4, Batch = 16, Seed = 1, Threads = 1, Dataset = file });
        var store = DatasetStores.Open(file, inMemoryBytes: 0);
        TrainingSession.Start(tmp.File("run"), config, store, cancel: TestContext.Current.CancellationToken, tensorboardEvery: 0);
        using var model = TrainedModel.Load(tmp.File("run"));
        var notes = new List<string>();
        var sizes = new MetricSizes { MigPoints = 200, Train = 100, Test = 50, VoteBatch = 8, DciTrees = 5 };
        var scores = ModelEvaluation.Evaluate(model, store, ["mig", "dci", "factorvae", "sap", "betavae"], 0, sizes, notes.Add);
        Assert.Empty(notes);
        Assert.InRange(scores["factorvae"], 0, 1);
        Assert.InRange(scores["betavae"], 0, 1);
        Assert.Contains("mig", scores.Keys);
    }
}
