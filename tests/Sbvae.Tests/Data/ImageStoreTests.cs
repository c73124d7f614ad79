using Sbvae.Data;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Data;

/// <summary>
/// Every store gives the batches the in-memory set gives, bit for bit, so training on a streamed store
/// is training on the same data; resuming mid-epoch on each store repeats an uninterrupted run.
/// </summary>
public class ImageStoreTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    static readonly long[] Picks = [5, 0, 71, 5, 33, 2, 64, 17];

    static float[] Batch(IImageStore store, long[] indices)
    {
        var batch = new float[indices.Length * 3 * store.Height * store.Width];
        store.Gather(indices, batch);
        return batch;
    }

    string PublicDSprites() => PublicLayout.Write(tmp.File("dsprites.npz"), new SmallDSprites().Arrays());

    string LargeRgb()
    {
        var data = TestData.Tiny();
        return PublicLayout.Write(tmp.File("rgb.npz"), new Dictionary<string, NpyArray>
        {
            ["imgs"] = NpyArray.FromBytes(data.Pixels, [data.Count, data.Height, data.Width, 3]),
            ["latents_values"] = NpyArray.FromDoubles(data.FactorValues, [data.Count, data.NumFactors]),
            ["latents_classes"] = NpyArray.FromInt64s(data.FactorClasses, [data.Count, data.NumFactors]),
            ["factor_names"] = NpyArray.FromStrings(data.FactorNames),
        });
    }

    IImageStore Streamed(string path) => DatasetStores.Open(path, new DatasetCache(tmp.File("cache")), inMemoryBytes: 0);

    [Fact]
    public void TheOneBitStoreGivesTheInMemoryBatches()
    {
        string path = PublicDSprites();
        var inMemory = ImageDataset.Load(path);
        var store = Assert.IsType<DSpritesStore>(Streamed(path));
        long[] picks = [.. Picks.Select(i => i % store.Count)];
        Assert.Equal(Batch(inMemory, picks), Batch(store, picks));
        Assert.Equal(inMemory.FactorSizes, store is IImageStore s ? s.FactorSizes : null);
    }

    [Fact]
    public void TheChunkedFileGivesTheInMemoryBatchesAndItsCacheIsReused()
    {
        string path = LargeRgb();
        var inMemory = ImageDataset.Load(path);
        using var store = Assert.IsType<ChunkedImageFile>(Streamed(path));
        Assert.Equal(Batch(inMemory, Picks), Batch(store, Picks));
        // A whole pass in order crosses every chunk boundary.
        long[] all = [.. Enumerable.Range(0, inMemory.Count).Select(i => (long)i)];
        Assert.Equal(Batch(inMemory, all), Batch(store, all));
        Assert.Equal(inMemory.FactorNames, store.FactorNames);
        Span<int> classes = stackalloc int[inMemory.NumFactors];
        store.ClassesOf(70, classes);
        Assert.Equal(inMemory.Classes(70).ToArray().Select(c => (int)c), classes.ToArray());
        var written = File.GetLastWriteTimeUtc(store.Path);
        using var again = Assert.IsType<ChunkedImageFile>(Streamed(path));
        Assert.Equal(store.Path, again.Path);
        Assert.Equal(written, File.GetLastWriteTimeUtc(again.Path));
    }

    [Fact]
    public void TheInMemoryStoreIsTheTrainingBatchOfOld()
    {
        var data = TestData.Tiny();
        using var images = new TrainingImages(data, TorchSharp.torch.CPU);
        using var batch = images.Batch(Picks);
        Assert.Equal(Batch(data, Picks), batch.data<float>().ToArray());
    }

    static RunConfig Config(int epochs) => new(
        new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 3, ImageSize = 16 },
        new TrainConfig { Epochs = epochs, Batch = 16, LearningRate = 2e-3, Seed = 5, Threads = 1 });

    [Theory]
    [InlineData("in-memory")]
    [InlineData("one-bit")]
    [InlineData("chunked")]
    public void ResumeMidEpochOnEachStoreRepeatsAnUninterruptedRun(string kind)
    {
        string path = kind == "chunked" ? LargeRgb() : PublicDSprites();
        IImageStore Open() => kind == "in-memory" ? ImageDataset.Load(path) : Streamed(path);
        var data = Open();
        var full = TrainingSession.Start(tmp.File("full"), Config(2), data, cancel: TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource();
        var stopped = TrainingSession.Start(tmp.File("part"), Config(2), Open(),
            onStep: s => { if (s.Epoch == 0 && s.Step == 3) cts.Cancel(); }, cancel: cts.Token);
        Assert.False(stopped.Completed);
        var resumed = TrainingSession.Resume(tmp.File("part"), Open(), cancel: TestContext.Current.CancellationToken);
        Assert.Equal(full.State.History.Select(r => (r.Kl, r.Reconstruction)), resumed.State.History.Select(r => (r.Kl, r.Reconstruction)));
        if (kind != "in-memory")
        {
            var reference = TrainingSession.Start(tmp.File("memory"), Config(2), ImageDataset.Load(path), cancel: TestContext.Current.CancellationToken);
            Assert.Equal(reference.State.History.Select(r => (r.Kl, r.Reconstruction)), full.State.History.Select(r => (r.Kl, r.Reconstruction)));
        }
    }

    static void FailsInOneLine(Action open, string expected)
    {
        string msg = Assert.Throws<SbvaeException>(open).Message;
        Assert.Contains(expected, msg);
        Assert.DoesNotContain('\n', msg);
    }

    [Fact]
    public void BadLayoutsFailInOneLine()
    {
        var small = new SmallDSprites();
        var arrays = small.Arrays();
        arrays["imgs"] = NpyArray.FromBytes([.. small.Imgs.Select((b, i) => i == 300 ? (byte)2 : b)], [small.Count, 16, 16]);
        string two = PublicLayout.Write(tmp.File("two.npz"), arrays);
        FailsInOneLine(() => Streamed(two), "only 0 and 1");

        arrays = small.Arrays();
        arrays.Remove("latents_classes");
        string missing = PublicLayout.Write(tmp.File("missing.npz"), arrays);
        FailsInOneLine(() => Streamed(missing), "latents_classes");

        arrays = small.Arrays();
        arrays["imgs"] = NpyArray.FromFloats(new float[small.Count * 256], [small.Count, 16, 16]);
        string floats = PublicLayout.Write(tmp.File("floats.npz"), arrays);
        FailsInOneLine(() => Streamed(floats), "uint8");

        arrays = small.Arrays();
        arrays.Remove("imgs");
        string noImages = PublicLayout.Write(tmp.File("noimgs.npz"), arrays);
        FailsInOneLine(() => Streamed(noImages), "no array 'imgs'");

        File.WriteAllBytes(tmp.File("cut.npz"), File.ReadAllBytes(PublicDSprites())[..200]);
        FailsInOneLine(() => Streamed(tmp.File("cut.npz")), "cut.npz");
    }
}
