using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Tests.Training;

public class TrainingTests
{
    static RunConfig Config(DecoderKind decoder, int epochs, double lr = 2e-3) => new(
        new ModelConfig { Decoder = decoder, Latent = 3, ImageSize = 16 },
        new TrainConfig { Epochs = epochs, Batch = 8, LearningRate = lr, Seed = 7, Threads = 1 });

    [Theory]
    [InlineData(DecoderKind.Sbd)]
    [InlineData(DecoderKind.Deconv)]
    public void LossReallyFalls(DecoderKind decoder)
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("learn"), "run");
        var outcome = TrainingSession.Start(dir, Config(decoder, 12), data);
        Assert.True(outcome.Completed);
        var h = outcome.State.History;
        Assert.Equal(12, h.Count);
        Assert.True(h[^1].Reconstruction < 0.6 * h[0].Reconstruction,
            $"reconstruction went from {h[0].Reconstruction} to {h[^1].Reconstruction}");
        Assert.True(h[^1].Loss < h[0].Loss);
        Assert.All(h, r => Assert.True(r.Kl >= 0 && double.IsFinite(r.Kl)));
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        Assert.Equal(13, File.ReadAllLines(Path.Combine(dir, "losses.csv")).Length);
    }

    [Fact]
    public void CheckpointRoundTripGivesIdenticalOutputs()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("roundtrip"), "run");
        float[] before;
        {
            var config = Config(DecoderKind.Sbd, 1);
            TrainingSession.Start(dir, config, data);
        }
        using (var model = TrainedModel.Load(dir))
        using (var images = model.Images(data))
            before = model.Reconstruct(images);
        using (var again = TrainedModel.Load(dir))
        using (var images = again.Images(data))
            Assert.Equal(before, again.Reconstruct(images));
        // and the loaded weights are the trained ones, not a fresh initialisation
        using var fresh = TrainingSession.BuildModel(Config(DecoderKind.Sbd, 1).Model, 7, TorchSharp.torch.CPU);
        var trained = Checkpoint.Load(Path.Combine(dir, "checkpoint.safetensors")).Tensors["model.decoder.decoder_convs.0.weight"].ToFloats();
        Assert.NotEqual(fresh.state_dict()["decoder.decoder_convs.0.weight"].data<float>().ToArray(), trained);
    }

    [Fact]
    public void ResumeAfterAnEpochMatchesAnUninterruptedRun()
    {
        var data = TestData.Tiny();
        string root = TestData.TempDir("resume");
        var full = TrainingSession.Start(Path.Combine(root, "full"), Config(DecoderKind.Sbd, 3), data);
        string part = Path.Combine(root, "part");
        TrainingSession.Start(part, Config(DecoderKind.Sbd, 1), data);
        var resumed = TrainingSession.Resume(part, data, epochs: 3);
        Assert.Equal(full.State.History.Select(r => (r.Kl, r.Reconstruction)), resumed.State.History.Select(r => (r.Kl, r.Reconstruction)));
    }

    [Fact]
    public void ResumeAfterAnInterruptionMidEpochMatchesAnUninterruptedRun()
    {
        var data = TestData.Tiny();
        string root = TestData.TempDir("interrupt");
        var full = TrainingSession.Start(Path.Combine(root, "full"), Config(DecoderKind.Deconv, 3), data);
        string part = Path.Combine(root, "part");
        using var cts = new CancellationTokenSource();
        var stopped = TrainingSession.Start(part, Config(DecoderKind.Deconv, 3), data,
            onStep: s => { if (s.Epoch == 1 && s.Step == 4) cts.Cancel(); }, cancel: cts.Token);
        Assert.False(stopped.Completed);
        Assert.Equal(1, stopped.State.Epoch);
        Assert.Equal(4, stopped.State.StepInEpoch);
        var resumed = TrainingSession.Resume(part, data);
        Assert.True(resumed.Completed);
        Assert.Equal(full.State.History.Select(r => (r.Kl, r.Reconstruction)), resumed.State.History.Select(r => (r.Kl, r.Reconstruction)));
    }

    [Fact]
    public void ANewRunRefusesAFolderThatHoldsOne()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("twice"), "run");
        TrainingSession.Start(dir, Config(DecoderKind.Sbd, 1), data);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "checkpoint.safetensors"));
        var e = Assert.Throws<SbvaeException>(() => TrainingSession.Start(dir, Config(DecoderKind.Sbd, 1), data));
        Assert.Contains("already holds a run", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "checkpoint.safetensors")));
    }

    [Fact]
    public void ShuffleIsAPermutationThatChangesEveryEpoch()
    {
        var a = Seeds.Permutation(100, 3, 0);
        var b = Seeds.Permutation(100, 3, 1);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), a.Order());
        Assert.NotEqual(a, b);
        Assert.Equal(a, Seeds.Permutation(100, 3, 0));
    }
}
