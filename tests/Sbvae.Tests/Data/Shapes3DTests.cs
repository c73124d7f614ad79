using System.Diagnostics;
using Sbvae.Data;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Data;

/// <summary>
/// 3D Shapes files in the public layout (written by the look-alike writer, a contiguous HDF5 file):
/// read back by PureHDF and h5py, the streamed store gives the in-memory batches, resume mid-epoch on
/// it repeats an uninterrupted run, and bad layouts fail in one line.
/// </summary>
public class Shapes3DTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    static readonly int[] SmallSizes = [2, 1, 2, 2, 2, 2];

    string Small()
    {
        string path = tmp.File("3dshapes.h5");
        if (!File.Exists(path)) new Shapes3DLike(SmallSizes).Write(path);
        return path;
    }

    static float[] Batch(IImageStore store, long[] indices)
    {
        var batch = new float[indices.Length * 3 * store.Height * store.Width];
        store.Gather(indices, batch);
        return batch;
    }

    [Fact]
    public void TheWrittenFileHoldsTheRenderedImagesAndLabelsAsClasses()
    {
        var shapes = new Shapes3DLike(SmallSizes);
        var data = Assert.IsType<ImageDataset>(DatasetStores.Open(Small()));
        Assert.Equal(shapes.Count, data.Count);
        Assert.Equal(Shapes3D.FactorNames, data.FactorNames);
        Assert.Equal(SmallSizes, data.FactorSizes);
        var image = new byte[64 * 64 * 3];
        Span<int> classes = stackalloc int[6];
        foreach (int row in new[] { 0, 17, shapes.Count - 1 })
        {
            shapes.Image(row, image);
            Assert.Equal(image, data.Image(row).ToArray());
            shapes.Classes(row, classes);
            Assert.Equal(classes.ToArray().Select(c => (long)c), data.Classes(row).ToArray());
        }
        // Rendered images differ with every factor: the layout is not all one picture.
        Assert.Equal(shapes.Count, Enumerable.Range(0, data.Count).Select(i => Convert.ToHexString(data.Image(i))).Distinct().Count());
    }

    [Fact]
    public void H5pyReadsTheWrittenFile()
    {
        string? python = new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p => Run(p, "-c", "import h5py").ExitCode == 0);
        Assert.SkipWhen(python is null, "h5py is not installed here (apt-get install python3-h5py), so the file is checked by PureHDF only");
        var r = Run(python!, "-c",
            "import h5py,sys; f=h5py.File(sys.argv[1],'r'); i=f['images']; l=f['labels'];" +
            "print(i.shape, i.dtype, l.shape, l.dtype, int(i[5].sum()), ','.join('%g' % v for v in l[5]))", Small());
        Assert.Equal(0, r.ExitCode);
        var shapes = new Shapes3DLike(SmallSizes);
        var image = new byte[64 * 64 * 3];
        shapes.Image(5, image);
        var c = new int[6];
        shapes.Classes(5, c);
        string labels = string.Join(",", Enumerable.Range(0, 6).Select(j => shapes.Value(j, c[j]).ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal($"({shapes.Count}, 64, 64, 3) uint8 ({shapes.Count}, 6) float64 {image.Sum(b => (long)b)} {labels}", r.Out.Trim());
    }

    static Cli.Result Run(string exe, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            var (o, e) = (p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
            p.WaitForExit();
            return new Cli.Result(p.ExitCode, o.Result, e.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return new Cli.Result(127, "", e.Message); }
    }

    [Fact]
    public void TheStreamedStoreGivesTheInMemoryBatches()
    {
        string path = Small();
        var inMemory = Assert.IsType<ImageDataset>(DatasetStores.Open(path));
        using var store = Assert.IsType<ChunkedImageFile>(DatasetStores.Open(path, inMemoryBytes: 0));
        long[] picks = [5, 0, 31, 5, 30, 2, 29, 17];
        Assert.Equal(Batch(inMemory, picks), Batch(store, picks));
        long[] all = [.. Enumerable.Range(0, inMemory.Count).Select(i => (long)i)];
        Assert.Equal(Batch(inMemory, all), Batch(store, all));
        Assert.Equal(inMemory.FactorSizes, store.FactorSizes);
        Span<int> classes = stackalloc int[6];
        store.ClassesOf(21, classes);
        Assert.Equal(inMemory.Classes(21).ToArray().Select(c => (int)c), classes.ToArray());
    }

    static RunConfig Config() => new(
        new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 3, ImageSize = 64 },
        new TrainConfig { Epochs = 2, Batch = 16, LearningRate = 2e-3, Seed = 5, Threads = 1 });

    [Fact]
    public void ResumeMidEpochOnTheStreamedStoreRepeatsAnUninterruptedRun()
    {
        string path = Small();
        IImageStore Open() => DatasetStores.Open(path, inMemoryBytes: 0);
        var full = TrainingSession.Start(tmp.File("full"), Config(), Open(), cancel: TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource();
        var stopped = TrainingSession.Start(tmp.File("part"), Config(), Open(),
            onStep: s => { if (s.Epoch == 0 && s.Step == 2) cts.Cancel(); }, cancel: cts.Token);
        Assert.False(stopped.Completed);
        var resumed = TrainingSession.Resume(tmp.File("part"), Open(), cancel: TestContext.Current.CancellationToken);
        Assert.Equal(full.State.History.Select(r => (r.Kl, r.Reconstruction)), resumed.State.History.Select(r => (r.Kl, r.Reconstruction)));
        var memory = TrainingSession.Start(tmp.File("memory"), Config(), DatasetStores.Open(path), cancel: TestContext.Current.CancellationToken);
        Assert.Equal(memory.State.History.Select(r => (r.Kl, r.Reconstruction)), full.State.History.Select(r => (r.Kl, r.Reconstruction)));
    }

    string Written(string name, params (Hdf5Array Array, Action<Stream> Data)[] arrays)
    {
        string path = tmp.File(name);
        using var s = File.Create(path);
        Hdf5Writer.Write(s, [.. arrays.Select(a => a.Array)], (i, stream) => arrays[i].Data(stream));
        return path;
    }

    static (Hdf5Array, Action<Stream>) Zeros(string name, bool float64, params long[] dims)
    {
        var array = new Hdf5Array(name, float64, dims);
        return (array, s => s.Write(new byte[array.Bytes]));
    }

    static (Hdf5Array, Action<Stream>) Labels(int n, double bad = 0)
    {
        var array = new Hdf5Array("labels", true, [n, 6]);
        return (array, s =>
        {
            for (int i = 0; i < n * 6; i++) s.Write(BitConverter.GetBytes(i == 7 ? bad : i % 6));
        });
    }

    static void FailsInOneLine(string path, string expected)
    {
        string msg = Assert.Throws<SbvaeException>(() => DatasetStores.Open(path, inMemoryBytes: 0)).Message;
        Assert.Contains(expected, msg);
        Assert.DoesNotContain('\n', msg);
    }

    [Fact]
    public void BadLayoutsAndValuesFailInOneLine()
    {
        FailsInOneLine(Written("nolabels.h5", Zeros("images", false, 4, 16, 16, 3)), "no dataset 'labels'");
        FailsInOneLine(Written("noimages.h5", Labels(4)), "no dataset 'images'");
        FailsInOneLine(Written("float.h5", Zeros("images", true, 4, 16, 16, 3), Labels(4)), "images must be uint8, not floatingpoint of 8 bytes");
        FailsInOneLine(Written("grey.h5", Zeros("images", false, 4, 16, 16), Labels(4)), "images must be (N, H, W, 3), not (4, 16, 16)");
        FailsInOneLine(Written("five.h5", Zeros("images", false, 4, 16, 16, 3), Zeros("labels", true, 4, 5)), "labels must be (4, 6)");
        FailsInOneLine(Written("rows.h5", Zeros("images", false, 4, 16, 16, 3), Labels(3)), "labels must be (4, 6)");
        FailsInOneLine(Written("intlabels.h5", Zeros("images", false, 4, 16, 16, 3), Zeros("labels", false, 4, 6)), "labels must be float64");
        FailsInOneLine(Written("oblong.h5", Zeros("images", false, 4, 16, 32, 3), Labels(4)), "square");
        FailsInOneLine(Written("odd.h5", Zeros("images", false, 4, 24, 24, 3), Labels(4)), "multiple of 16");
        FailsInOneLine(Written("nan.h5", Zeros("images", false, 4, 16, 16, 3), Labels(4, double.NaN)), "labels row 1 has NaN for 'wall_hue'");
        File.WriteAllText(tmp.File("text.h5"), "not hdf5");
        FailsInOneLine(tmp.File("text.h5"), "is not an HDF5 file");
        FailsInOneLine(tmp.File("absent.h5"), "no such file");
    }

    [Fact]
    public void TheLookAlikeRefusesImpossibleFactorSizes()
    {
        Assert.Contains("'shape' takes 1 to 4 values, not 5", Assert.Throws<SbvaeException>(() => new Shapes3DLike([1, 1, 1, 1, 5, 1])).Message);
        Assert.Contains("6 factors", Assert.Throws<SbvaeException>(() => new Shapes3DLike([1, 1])).Message);
    }

    /// <summary>A chunked, deflated file as PureHDF writes it (16×16 images: its writer is slow).</summary>
    string Chunked(string name, uint[] chunks, int n = 5)
    {
        var pixels = new byte[n * 16 * 16 * 3];
        new Random(3).NextBytes(pixels);
        var labels = new double[n * 6];
        for (int i = 0; i < labels.Length; i++) labels[i] = (i / 6) % (1 + i % 6);
        string path = tmp.File(name);
        new PureHDF.H5File
        {
            ["images"] = new PureHDF.H5Dataset<byte[]>(pixels, chunks: chunks, fileDims: [(ulong)n, 16, 16, 3],
                datasetCreation: new PureHDF.VOL.Native.H5DatasetCreation(Filters: [new PureHDF.Filters.H5Filter(PureHDF.Filters.DeflateFilter.Id)])),
            ["labels"] = new PureHDF.H5Dataset<double[]>(labels, fileDims: [(ulong)n, 6]),
        }.Write(path);
        return path;
    }

    [Fact]
    public void ChunkedImagesAreUnpackedOnceIntoTheCacheAndGiveTheInMemoryBatches()
    {
        string path = Chunked("chunked.h5", [2, 16, 16, 3]);
        var inMemory = Assert.IsType<ImageDataset>(DatasetStores.Open(path));
        var cache = new DatasetCache(tmp.File("cache"));
        using var store = Assert.IsType<ChunkedImageFile>(DatasetStores.Open(path, cache, inMemoryBytes: 0));
        long[] all = [4, 0, 3, 1, 2, 4];
        Assert.Equal(Batch(inMemory, all), Batch(store, all));
        Assert.Single(Directory.GetFiles(cache.Dir, "*.u8"));
        Assert.Equal(inMemory.FactorSizes, store.FactorSizes);

        string split = Chunked("split.h5", [1, 8, 16, 3]);
        string msg = Assert.Throws<SbvaeException>(() => DatasetStores.Open(split, cache, inMemoryBytes: 0)).Message;
        Assert.Contains("chunked as (1, 8, 16, 3), which splits images", msg);
    }
}
