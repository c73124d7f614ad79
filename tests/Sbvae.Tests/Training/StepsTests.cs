using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Training;

/// <summary>Runs counted in steps (--steps): rows every --log-every steps, checkpoints by steps, exact resume mid-epoch.</summary>
public class StepsTests
{
    // Tiny has 72 images: 9 steps of 8 per epoch, so 13 steps end mid-epoch (the second).
    static RunConfig Config(int steps, int? checkpointEvery = null) => new(
        new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 3, ImageSize = 16 },
        new TrainConfig { Steps = steps, LogEvery = 3, CheckpointEvery = checkpointEvery, Batch = 8, LearningRate = 1e-3, Seed = 3, Threads = 1 });

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static Dictionary<string, float[]> Weights(string run) =>
        Checkpoint.Load(Path.Combine(run, "checkpoint.safetensors")).Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.ToFloats());

    [Fact]
    public void AStepsRunEndsMidEpochWithARowEveryLogEverySteps()
    {
        var data = TestData.Tiny();
        Assert.Equal(72, data.Count);
        string dir = Path.Combine(TestData.TempDir("steps"), "run");
        var outcome = TrainingSession.Start(dir, Config(13), data, cancel: Cancel, tensorboardEvery: 0);
        Assert.True(outcome.Completed);
        Assert.Equal(13, outcome.State.GlobalStep);
        Assert.Equal((1, 4), (outcome.State.Epoch, outcome.State.StepInEpoch));
        Assert.Equal([3L, 6, 9, 12, 13], outcome.State.History.Select(r => r.Step));
        Assert.Equal([1, 1, 1, 2, 2], outcome.State.History.Select(r => r.Epoch));
        var lines = File.ReadAllLines(Path.Combine(dir, "losses.csv"));
        Assert.StartsWith("epoch,step,kl,", lines[0]);
        Assert.Equal(["3", "6", "9", "12", "13"], lines.Skip(1).Select(l => l.Split(',')[1]));
    }

    /// <summary>Stopped at step 7 (mid-epoch, mid-row) and resumed across the epoch's end: the same rows and bit-identical weights as an uninterrupted run.</summary>
    [Fact]
    public void StoppedMidEpochAndResumedMatchesAnUninterruptedRun()
    {
        var data = TestData.Tiny();
        string root = TestData.TempDir("steps-resume");
        var full = TrainingSession.Start(Path.Combine(root, "full"), Config(13), data, cancel: Cancel, tensorboardEvery: 0);
        string part = Path.Combine(root, "part");
        using var cts = new CancellationTokenSource();
        var stopped = TrainingSession.Start(part, Config(13), data, onStep: s => { if (s.GlobalStep == 7) cts.Cancel(); }, cancel: cts.Token, tensorboardEvery: 0);
        Assert.False(stopped.Completed);
        Assert.Equal((0, 7, 7L), (stopped.State.Epoch, stopped.State.StepInEpoch, stopped.State.GlobalStep));
        var resumed = TrainingSession.Resume(part, data, cancel: Cancel, tensorboardEvery: 0);
        Assert.True(resumed.Completed);
        Assert.Equal(full.State.History.Select(r => (r.Step, r.Epoch, r.Kl, r.Reconstruction, r.Loss)),
            resumed.State.History.Select(r => (r.Step, r.Epoch, r.Kl, r.Reconstruction, r.Loss)));
        Assert.Equal(Weights(Path.Combine(root, "full")), Weights(part));
    }

    /// <summary>A finished steps run resumed with a larger --steps continues to the weights of a run planned that long.</summary>
    [Fact]
    public void ResumingWithMoreStepsContinues()
    {
        var data = TestData.Tiny();
        string root = TestData.TempDir("steps-more");
        TrainingSession.Start(Path.Combine(root, "full"), Config(13), data, cancel: Cancel, tensorboardEvery: 0);
        string part = Path.Combine(root, "part");
        TrainingSession.Start(part, Config(8), data, cancel: Cancel, tensorboardEvery: 0);
        var more = TrainingSession.Resume(part, data, steps: 13, cancel: Cancel, tensorboardEvery: 0);
        Assert.True(more.Completed);
        Assert.Equal(13, more.State.GlobalStep);
        // The shorter run's last row (step 8) stays; the rows after it count from there.
        Assert.Equal([3L, 6, 8, 9, 12, 13], more.State.History.Select(r => r.Step));
        Assert.Equal(Weights(Path.Combine(root, "full")), Weights(part));
    }

    /// <summary>--checkpoint-every counts steps: after a SIGKILL-like stop the checkpoint on disk is at the last multiple.</summary>
    [Fact]
    public void CheckpointEveryCountsSteps()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("steps-ckpt"), "run");
        var saved = new List<long>();
        // Read the checkpoint on disk after every step: it moves only at multiples of 4 (and at the end).
        TrainingSession.Start(dir, Config(10, checkpointEvery: 4), data, cancel: Cancel, tensorboardEvery: 0,
            onStep: s => saved.Add(Checkpoint.Load(Path.Combine(dir, "checkpoint.safetensors")).State.GlobalStep));
        Assert.Equal([0L, 0, 0, 4, 4, 4, 4, 8, 8, 10], saved);
    }

    [Fact]
    public void ResumingAStepsRunWithEpochsIsRefused()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("steps-epochs"), "run");
        TrainingSession.Start(dir, Config(2), data, cancel: Cancel, tensorboardEvery: 0);
        var e = Assert.Throws<SbvaeException>(() => TrainingSession.Resume(dir, data, epochs: 3, cancel: Cancel, tensorboardEvery: 0));
        Assert.Contains("--steps", e.Message);
    }
}
