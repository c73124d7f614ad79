using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Models;
using Sbvae.Objectives;
using Sbvae.Runs;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Tests.Evaluation;

/// <summary>The mean image's squared error (evaluate's mse) and the held-out experiment's reconstruction error for every likelihood.</summary>
public class MeanImageErrorTests
{
    static string Train(string name, ModelConfig model)
    {
        string run = Path.Combine(TestData.TempDir(name), "run");
        TrainingSession.Start(run, new RunConfig(model with { Latent = 3, ImageSize = 16 }, new TrainConfig { Epochs = 1, Threads = 1 }),
            TestData.Tiny(), cancel: TestContext.Current.CancellationToken);
        return run;
    }

    static double ManualMse(TrainedModel model, ImageDataset data)
    {
        using var images = model.Images(data);
        float[] recon = model.Reconstruct(images);
        double sum = 0;
        long n = 0;
        for (int i = 0; i < data.Count; i++)
        {
            float[] x = DatasetImages.Chw(data, i);
            for (int j = 0; j < x.Length; j++, n++) sum += Math.Pow(x[j] - recon[i * x.Length + j], 2);
        }
        return sum / n;
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("bernoulli")]
    [InlineData("laplace")]
    public void EvaluateWritesTheMeanImagesSquaredErrorPerPixel(string likelihood)
    {
        var data = TestData.Tiny();
        string run = Train("eval-mse-" + likelihood, new ModelConfig { Decoder = DecoderKind.Deconv, Likelihood = likelihood });
        string npz = Path.Combine(Path.GetDirectoryName(run)!, "tiny.npz");
        data.Save(npz);
        string json = Path.Combine(Path.GetDirectoryName(run)!, "metrics.json");
        var r = Cli.Run("evaluate", run, "--dataset", npz, "--metrics", "mig", "--samples", "0.01", "--out", json);
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        double mse = doc.RootElement.GetProperty("metrics").GetProperty("mse").GetDouble();
        using var model = TrainedModel.Load(run);
        Assert.Equal(ManualMse(model, data), mse, 5);
        Assert.InRange(mse, 1e-6, 1);
        Assert.True(doc.RootElement.GetProperty("metrics").TryGetProperty("mig", out _));
        // Progress: each score is announced before it runs, in order.
        int mig = r.Err.IndexOf("sbvae: mig…"), last = r.Err.IndexOf("sbvae: mse…");
        Assert.True(mig >= 0 && last > mig, r.Err);
    }

    [Fact]
    public void ABernoulliModelsReconstructionErrorIsItsOwnNegativeLogLikelihoodOfTheLogits()
    {
        var data = TestData.Tiny();
        string run = Train("recon-error-bernoulli", new ModelConfig { Decoder = DecoderKind.Sbd, Likelihood = "bernoulli" });
        using var model = TrainedModel.Load(run);
        double[] errors = ReconstructionError.PerImage(model, data, batchSize: 7);
        using var images = model.Images(data);
        float[] mean = model.Reconstruct(images); // sigmoid of the logits
        for (int i = 0; i < data.Count; i += 13)
        {
            float[] x = DatasetImages.Chw(data, i);
            // −log p = −Σ x·log p + (1 − x)·log(1 − p), p the mean image
            double expected = -x.Select((v, j) => v * Math.Log(mean[i * x.Length + j]) + (1 - v) * Math.Log(1 - mean[i * x.Length + j])).Sum();
            Assert.Equal(expected, errors[i], expected * 1e-4);
        }
    }
}
