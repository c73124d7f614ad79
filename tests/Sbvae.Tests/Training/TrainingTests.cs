using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Training;

public class TrainingTests
{
    static RunConfig Config(DecoderKind decoder, int epochs, double lr = 2e-3, double variance = 0.3) => new(
        new ModelConfig { Decoder = decoder, Latent = 3, ImageSize = 16, Variance = variance },
        new TrainConfig { Epochs = epochs, Batch = 8, LearningRate = lr, Seed = 7, Threads = 1 });

    /// <summary>
    /// Real learning: after a short run the reconstruction beats the best code-free guess
    /// (the dataset's mean image) by a wide margin, so positions and colours were learned.
    /// </summary>
    [Theory]
    [InlineData(DecoderKind.Sbd)]
    [InlineData(DecoderKind.Deconv)]
    public void LossReallyFalls(DecoderKind decoder)
    {
        var data = TestData.Learnable();
        string dir = Path.Combine(TestData.TempDir("learn"), "run");
        var config = Config(decoder, 60, lr: 1e-3, variance: 0.05);
        config = config with { Train = config.Train with { Batch = 4 } };
        var outcome = TrainingSession.Start(dir, config, data, cancel: TestContext.Current.CancellationToken);
        Assert.True(outcome.Completed);
        var h = outcome.State.History;
        Assert.Equal(60, h.Count);
        double meanImage = MeanImageReconstruction(data, 0.05);
        Assert.True(h[^1].Reconstruction < 0.5 * meanImage,
            $"reconstruction {string.Join(" ", h.Select(r => r.Reconstruction.ToString("F0")))}, mean-image baseline {meanImage:F2}");
        Assert.True(h[^1].Loss < 0.7 * h[0].Loss);
        Assert.True(h[^1].Kl > 1, "the code carries information");
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        Assert.Equal(61, File.ReadAllLines(Path.Combine(dir, "losses.csv")).Length);
    }

    /// <summary>Σ (x − mean image)² / (2σ²) averaged over the images.</summary>
    static double MeanImageReconstruction(Sbvae.Data.ImageDataset data, double variance)
    {
        int per = data.Height * data.Width * data.Channels;
        var mean = new double[per];
        for (int i = 0; i < data.Count; i++)
            for (int p = 0; p < per; p++) mean[p] += data.Pixels[(long)i * per + p] / 255.0 / data.Count;
        double total = 0;
        for (int i = 0; i < data.Count; i++)
            for (int p = 0; p < per; p++) { double d = data.Pixels[(long)i * per + p] / 255.0 - mean[p]; total += d * d; }
        return total / data.Count / (2 * variance);
    }

    [Fact]
    public void CheckpointRoundTripGivesIdenticalOutputs()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("roundtrip"), "run");
        float[] before;
        {
            var config = Config(DecoderKind.Sbd, 1);
            TrainingSession.Start(dir, config, data, cancel: TestContext.Current.CancellationToken);
        }
        using (var model = TrainedModel.Load(dir))
        using (var images = model.Images(data))
            before = model.Reconstruct(images);
        using (var again = TrainedModel.Load(dir))
        using (var images = again.Images(data))
            Assert.Equal(before, again.Reconstruct(images));
        // and the loaded weights are the trained ones, not a fresh initialisation
        using var fresh = ModelBuilder.Build(Config(DecoderKind.Sbd, 1).Model, 7, TorchSharp.torch.CPU);
        var trained = Checkpoint.Load(Path.Combine(dir, "checkpoint.safetensors")).Tensors["model.decoder.decoder_convs.0.weight"].ToFloats();
        Assert.NotEqual(fresh.state_dict()["decoder.decoder_convs.0.weight"].data<float>().ToArray(), trained);
    }

    [Fact]
    public void ResumeAfterAnEpochMatchesAnUninterruptedRun()
    {
        var data = TestData.Tiny();
        string root = TestData.TempDir("resume");
        var full = TrainingSession.Start(Path.Combine(root, "full"), Config(DecoderKind.Sbd, 3), data, cancel: TestContext.Current.CancellationToken);
        string part = Path.Combine(root, "part");
        TrainingSession.Start(part, Config(DecoderKind.Sbd, 1), data, cancel: TestContext.Current.CancellationToken);
        var resumed = TrainingSession.Resume(part, data, epochs: 3, cancel: TestContext.Current.CancellationToken);
        Assert.Equal(full.State.History.Select(r => (r.Kl, r.Reconstruction)), resumed.State.History.Select(r => (r.Kl, r.Reconstruction)));
    }

    [Fact]
    public void ResumeAfterAnInterruptionMidEpochMatchesAnUninterruptedRun()
    {
        var data = TestData.Tiny();
        string root = TestData.TempDir("interrupt");
        var full = TrainingSession.Start(Path.Combine(root, "full"), Config(DecoderKind.Deconv, 3), data, cancel: TestContext.Current.CancellationToken);
        string part = Path.Combine(root, "part");
        using var cts = new CancellationTokenSource();
        var stopped = TrainingSession.Start(part, Config(DecoderKind.Deconv, 3), data,
            onStep: s => { if (s.Epoch == 1 && s.Step == 4) cts.Cancel(); }, cancel: cts.Token);
        Assert.False(stopped.Completed);
        Assert.Equal(1, stopped.State.Epoch);
        Assert.Equal(4, stopped.State.StepInEpoch);
        var resumed = TrainingSession.Resume(part, data, cancel: TestContext.Current.CancellationToken);
        Assert.True(resumed.Completed);
        Assert.Equal(full.State.History.Select(r => (r.Kl, r.Reconstruction)), resumed.State.History.Select(r => (r.Kl, r.Reconstruction)));
    }

    [Fact]
    public void ANewRunRefusesAFolderThatHoldsOne()
    {
        var data = TestData.Tiny();
        string dir = Path.Combine(TestData.TempDir("twice"), "run");
        TrainingSession.Start(dir, Config(DecoderKind.Sbd, 1), data, cancel: TestContext.Current.CancellationToken);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "checkpoint.safetensors"));
        var e = Assert.Throws<SbvaeException>(() => TrainingSession.Start(dir, Config(DecoderKind.Sbd, 1), data, cancel: TestContext.Current.CancellationToken));
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
