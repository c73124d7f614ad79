using Sbvae.Runs;
using Sbvae.Sweeps;

namespace Sbvae.Tests.CliTests;

/// <summary>Every command that trains writes RUN_DIR/tensorboard/ unless given --no-tensorboard.</summary>
public class TensorBoardFlagTests
{
    static bool HasEvents(string runDir) =>
        Directory.Exists(TensorBoardLog.Dir(runDir)) && Directory.GetFiles(TensorBoardLog.Dir(runDir), "events.out.tfevents.*").Length > 0;

    static string TinyDataset(string root)
    {
        string path = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(path);
        return path;
    }

    [Fact]
    public void TrainWritesEventsUnlessToldNot()
    {
        string root = TestData.TempDir("train-tb");
        string dataset = TinyDataset(root);
        string[] common = ["train", "--decoder", "sbd", "--epochs", "1", "--latent", "3", "--threads", "1", "--dataset", dataset];
        var on = Cli.Run([.. common, "--out", Path.Combine(root, "on")]);
        Assert.True(on.ExitCode == 0, on.Err);
        Assert.True(HasEvents(Path.Combine(root, "on")));
        var off = Cli.Run([.. common, "--out", Path.Combine(root, "off"), "--no-tensorboard"]);
        Assert.True(off.ExitCode == 0, off.Err);
        Assert.True(File.Exists(Path.Combine(root, "off", "losses.csv")));
        Assert.False(Directory.Exists(TensorBoardLog.Dir(Path.Combine(root, "off"))));
    }

    [Fact]
    public void SweepHonoursTheFlag()
    {
        string root = TestData.TempDir("sweep-tb");
        TinyDataset(root);
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """
            {"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "batch": 16, "threads": 1}, "axes": {"seed": [0, 1]}}
            """);
        var plan = SweepPlan.Load(planFile);
        var on = Cli.Run("sweep", planFile, "--out", dir, "--index", "0", "--threads", "1");
        Assert.True(on.ExitCode == 0, on.Err);
        var off = Cli.Run("sweep", planFile, "--out", dir, "--index", "1", "--threads", "1", "--no-tensorboard");
        Assert.True(off.ExitCode == 0, off.Err);
        Assert.True(HasEvents(SweepRunner.EntryDir(dir, plan.Entries[0])));
        Assert.False(Directory.Exists(TensorBoardLog.Dir(SweepRunner.EntryDir(dir, plan.Entries[1]))));
    }

    [Fact]
    public void CompareHonoursTheFlag()
    {
        string root = TestData.TempDir("compare-tb");
        string dataset = TinyDataset(root), dir = Path.Combine(root, "cmp");
        var r = Cli.Run("compare", "--quick", "--epochs", "1", "--latent", "3", "--threads", "1", "--dataset", dataset,
            "--out", dir, "--no-tensorboard");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.True(File.Exists(Path.Combine(dir, "sbd", "losses.csv")));
        Assert.False(Directory.Exists(TensorBoardLog.Dir(Path.Combine(dir, "sbd"))));
        Assert.False(Directory.Exists(TensorBoardLog.Dir(Path.Combine(dir, "deconv"))));
    }
}
