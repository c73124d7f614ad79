using Sbvae.Cli.Commands;
using Sbvae.Data;

namespace Sbvae.Tests.CliTests;

/// <summary>encode and reconstruct write the images asked for, and refuse to write a large dataset whole unless told.</summary>
public class RowSelectionTests
{
    [Fact]
    public void ALargeDatasetNeedsAChoice()
    {
        var e = Assert.Throws<SbvaeException>(() => RowSelection.Choose(null, null, false, 737_280));
        Assert.Contains("737,280", e.Message);
        Assert.Contains("--count", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(737_280, RowSelection.Choose(null, null, true, 737_280).Length);
        Assert.Equal(StoreRows.Large, RowSelection.Choose(null, null, false, StoreRows.Large).Length);
    }

    [Fact]
    public void CountTakesTheFirstAndIndicesTheGivenInOrder()
    {
        Assert.Equal([0L, 1, 2], RowSelection.Choose(3, null, false, 737_280));
        Assert.Equal([7L, 2, 700_000], RowSelection.Choose(null, "7, 2,700000", false, 737_280));
        string file = Path.Combine(TestData.TempDir("indices"), "rows.txt");
        File.WriteAllText(file, "5\n\n1\n");
        Assert.Equal([5L, 1], RowSelection.Choose(null, file, false, 10));
    }

    [Theory]
    [InlineData(0, null, false, "--count")]
    [InlineData(11, null, false, "--count")]
    [InlineData(null, "1,x", false, "'x'")]
    [InlineData(null, "1,10", false, "10 is outside")]
    [InlineData(2, "1", false, "one of")]
    [InlineData(2, null, true, "one of")]
    public void BadChoicesAreOneLine(int? count, string? indices, bool all, string word)
    {
        var e = Assert.Throws<SbvaeException>(() => RowSelection.Choose(count, indices, all, 10));
        Assert.Contains(word, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

/// <summary>The chosen rows reach the files: encode's codes and factors are those rows', listed in `indices`.</summary>
public class EncodeSelectionTests
{
    [Fact]
    public void EncodeAndReconstructWriteTheChosenRows()
    {
        string root = TestData.TempDir("encode-rows");
        string dataset = Path.Combine(root, "tiny.npz"), run = Path.Combine(root, "run");
        var tiny = TestData.Tiny();
        tiny.Save(dataset);
        Assert.Equal(0, Cli.Run("train", "--steps", "2", "--latent", "3", "--batch", "8", "--threads", "1", "--no-tensorboard",
            "--dataset", dataset, "--out", run).ExitCode);
        string all = Path.Combine(root, "all.npz"), some = Path.Combine(root, "some.npz"), recon = Path.Combine(root, "recon.npz");
        Assert.Equal(0, Cli.Run("encode", run, "--out", all).ExitCode);
        Assert.Equal(0, Cli.Run("encode", run, "--indices", "9,2", "--out", some).ExitCode);
        Assert.Equal(0, Cli.Run("reconstruct", run, "--count", "3", "--out", recon).ExitCode);
        var a = Npz.Read(all);
        var s = Npz.Read(some);
        Assert.Equal(Enumerable.Range(0, tiny.Count).Select(i => (long)i), a["indices"].ToInt64s());
        Assert.Equal([9L, 2], s["indices"].ToInt64s());
        int k = 3, f = tiny.NumFactors;
        float[] muAll = a["mu"].ToFloats(), muSome = s["mu"].ToFloats();
        long[] factors = s["factors"].ToInt64s();
        foreach (var (row, i) in new[] { (9, 0), (2, 1) })
        {
            // the same image in another batch: equal up to the convolution's summation order
            for (int d = 0; d < k; d++) Assert.Equal(muAll[row * k + d], muSome[i * k + d], 1e-4f);
            Assert.Equal(tiny.Classes(row).ToArray(), factors.AsSpan(i * f, f).ToArray());
        }
        var r = Npz.Read(recon);
        Assert.Equal([0L, 1, 2], r["indices"].ToInt64s());
        Assert.Equal(3 * 3 * 16 * 16, r["recon"].ToFloats().Length);
    }
}
