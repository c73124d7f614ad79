using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Tests.Interop;

/// <summary>Weights holding NaN are refused with one line where they enter: loading a run and importing a file.</summary>
public class NonFiniteWeightsTests
{
    static string Train(string dir)
    {
        string run = Path.Combine(dir, "run");
        TrainingSession.Start(run, new RunConfig(new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 3, ImageSize = 16 },
            new TrainConfig { Epochs = 1, Threads = 1 }), TestData.Tiny(), cancel: TestContext.Current.CancellationToken);
        return run;
    }

    [Fact]
    public void ARunWhoseCheckpointHoldsNaNIsRefusedByEveryCommandThatLoadsIt()
    {
        string dir = TestData.TempDir("nan-checkpoint");
        string run = Train(dir), npz = Path.Combine(dir, "tiny.npz");
        TestData.Tiny().Save(npz);
        Assert.Equal(0, Cli.Run("evaluate", run, "--dataset", npz, "--metrics", "mig", "--samples", "0.01", "--out", Path.Combine(dir, "ok.json")).ExitCode);
        using (var model = TrainedModel.Load(run))
        {
            using (no_grad()) model.Model.Decoder.parameters().Last().index_put_(float.NaN, 0);
            using var adam = optim.Adam(model.Model.parameters());
            Checkpoint.Save(model.Run.CheckpointPath, model.Model, adam, model.Config, model.State);
        }
        foreach (var args in new[] { new[] { "evaluate", run, "--dataset", npz, "--out", Path.Combine(dir, "m.json") },
                                     ["reconstruct", run, "--dataset", npz, "--count", "4", "--out", Path.Combine(dir, "r.npz")] })
        {
            var r = Cli.Run(args);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("holds 1 NaN or infinite values in 'decoder.", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
        }
        Assert.False(File.Exists(Path.Combine(dir, "m.json")));
    }

    [Fact]
    public void AWeightFileHoldingNaNIsNotImported()
    {
        string dir = TestData.TempDir("nan-import");
        string run = Train(dir), st = Path.Combine(dir, "model.safetensors"), bad = Path.Combine(dir, "bad.safetensors");
        Assert.Equal(0, Cli.Run("export", run, "--out", st).ExitCode);
        var (tensors, meta) = SafeTensors.Read(st);
        string name = tensors.Keys.Order().First(k => k.EndsWith("weight", StringComparison.Ordinal));
        var values = tensors[name].ToFloats();
        values[0] = float.PositiveInfinity;
        tensors[name] = RawTensor.FromFloats(values, tensors[name].Shape);
        SafeTensors.Write(bad, [.. tensors.Select(kv => (kv.Key, kv.Value))], meta);
        Assert.Equal(0, Cli.Run("import", st, "--decoder", "deconv", "--out", Path.Combine(dir, "good")).ExitCode);
        var r = Cli.Run("import", bad, "--decoder", "deconv", "--out", Path.Combine(dir, "back"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds 1 NaN or infinite values", r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "back", "checkpoint.safetensors")));
    }
}
