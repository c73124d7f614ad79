using System.Diagnostics;
using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;
using TorchSharp;

namespace Sbvae.Tests.Training;

public class RobustnessTests
{
    static RunConfig Config(int epochs, double variance = 0.3) => new(
        new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 3, ImageSize = 16, Variance = variance },
        new TrainConfig { Epochs = epochs, Batch = 8, LearningRate = 1e-3, Seed = 5, Threads = 1 });

    [Fact]
    public void NonFiniteLossStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("nan"), "run");
        // σ_x² = 1e-38 makes the reconstruction term overflow float32 on the first step.
        var e = Assert.Throws<NonFiniteLossException>(() => TrainingSession.Start(dir, Config(2, 1e-38), data, cancel: TestContext.Current.CancellationToken));
        Assert.Contains("non-finite", e.Message);
        Assert.Contains("--lr", e.Message);
        var kept = Checkpoint.Load(Path.Combine(dir, "checkpoint.safetensors"));
        Assert.Equal(0, kept.State.GlobalStep);
        Assert.All(kept.Tensors.Values, t => Assert.All(t.ToFloats(), v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverTrainingAndEvaluation()
    {
        var data = TestData.Tiny();
        torch.set_num_threads(1);
        using var model = ModelBuilder.Build(Config(1).Model, 5, torch.CPU);
        using var images = TrainingImages.From(data, torch.CPU);
        using var trainer = new Trainer(model, images, Config(3).Train);
        long? afterFirstEpoch = null;
        var counts = new List<long>();
        trainer.EpochCompleted += (_, _) =>
        {
            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            afterFirstEpoch ??= live;
            counts.Add(live);
        };
        Assert.True(trainer.Run(TestContext.Current.CancellationToken));
        Assert.All(counts, c => Assert.Equal(afterFirstEpoch, c));

        string dir = Path.Combine(TestData.TempDir("leak"), "run");
        TrainingSession.Start(dir, Config(1), data, cancel: TestContext.Current.CancellationToken);
        using var trained = TrainedModel.Load(dir);
        using var evalImages = trained.Images(data);
        trained.Encode(evalImages);
        trained.Reconstruct(evalImages);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++)
        {
            trained.Encode(evalImages);
            trained.Reconstruct(evalImages);
            trained.Decode(new float[6]);
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>
    /// The sbvae process is killed with SIGKILL mid-run, then resumed; its loss table equals an
    /// uninterrupted run's (same seed, one thread), and at most one epoch of work was lost.
    /// </summary>
    [Fact]
    public void KilledRunResumesToTheSameLosses()
    {
        string root = TestData.TempDir("sigkill");
        string dataset = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(dataset);
        string[] Args(string dir) => ["train", "--decoder", "sbd", "--epochs", "8", "--latent", "3", "--batch", "8",
            "--lr", "1e-3", "--seed", "5", "--threads", "1", "--dataset", dataset, "--out", dir];

        string full = Path.Combine(root, "full");
        Assert.Equal(0, Cli.RunProcess(Args(full)).ExitCode);

        string killed = Path.Combine(root, "killed");
        using (var p = Cli.Start(Args(killed)))
        {
            string losses = Path.Combine(killed, "losses.csv");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !(File.Exists(losses) && File.ReadAllLines(losses).Length >= 4))
                Thread.Sleep(20);
            p.Kill(); // SIGKILL: no handler runs
            p.WaitForExit();
        }
        int epochsBefore = Checkpoint.Load(Path.Combine(killed, "checkpoint.safetensors")).State.Epoch;
        Assert.InRange(epochsBefore, 2, 7);
        var resumed = Cli.RunProcess(["train", "--resume", killed, "--threads", "1"]);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(LossColumns(full), LossColumns(killed));
    }

    static string[] LossColumns(string run) =>
        File.ReadAllLines(Path.Combine(run, "losses.csv")).Select(l => string.Join(",", l.Split(',').Take(4))).ToArray();
}
