using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Interop;

/// <summary>export records the likelihood (and objective) and leaves the discriminator out; import reads the likelihood back.</summary>
public class LikelihoodInteropTests
{
    static string Train(string dir, ModelConfig model)
    {
        string run = Path.Combine(dir, "run");
        TrainingSession.Start(run, new RunConfig(model with { Latent = 3, ImageSize = 16 }, new TrainConfig { Epochs = 1, Threads = 1 }),
            TestData.Tiny(), cancel: TestContext.Current.CancellationToken);
        return run;
    }

    static float[] Reconstructions(string run, ImageDataset data)
    {
        using var model = TrainedModel.Load(run);
        using var images = model.Images(data);
        return model.Reconstruct(images);
    }

    static string Likelihood(string run) => RunFolder.Open(run).LoadCheckpoint().Config.Model.Likelihood;

    [Fact]
    public void ABernoulliModelExportedAndReimportedReconstructsTheSameMeanImages()
    {
        string dir = TestData.TempDir("bernoulli-export");
        var data = TestData.Tiny();
        string run = Train(dir, new ModelConfig { Decoder = DecoderKind.Sbd, Likelihood = "bernoulli" });
        float[] original = Reconstructions(run, data);
        Assert.All(original, v => Assert.InRange(v, 0f, 1f)); // sigmoid of the logits

        string st = Path.Combine(dir, "model.safetensors");
        var export = Cli.Run("export", run, "--out", st);
        Assert.True(export.ExitCode == 0, export.Err);
        var (_, meta) = SafeTensors.Read(st);
        Assert.Equal(("pt", "bernoulli", "betavae"), (meta["format"], meta["likelihood"], meta["objective"]));

        string back = Path.Combine(dir, "back");
        var import = Cli.Run("import", st, "--decoder", "sbd", "--out", back);
        Assert.True(import.ExitCode == 0, import.Err);
        Assert.Equal("bernoulli", Likelihood(back));
        Assert.Equal(original, Reconstructions(back, data));

        // agreeing is fine, disagreeing is one line and writes nothing
        Assert.Equal(0, Cli.Run("import", st, "--decoder", "sbd", "--likelihood", "bernoulli", "--out", Path.Combine(dir, "same")).ExitCode);
        var clash = Cli.Run("import", st, "--decoder", "sbd", "--likelihood", "gaussian", "--out", Path.Combine(dir, "clash"));
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("records the bernoulli likelihood but --likelihood gaussian was given", clash.Err);
        Assert.Single(clash.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(dir, "clash")));

        // torch.save has no place for it: export says so, and --likelihood states it on import
        string pt = Path.Combine(dir, "model.pt");
        var ptExport = Cli.Run("export", run, "--out", pt);
        Assert.True(ptExport.ExitCode == 0, ptExport.Err);
        Assert.Contains("--likelihood bernoulli", ptExport.Err);
        string fromPt = Path.Combine(dir, "from-pt");
        Assert.Equal(0, Cli.Run("import", pt, "--decoder", "sbd", "--likelihood", "bernoulli", "--out", fromPt).ExitCode);
        Assert.Equal(original, Reconstructions(fromPt, data));
        string plain = Path.Combine(dir, "plain");
        Assert.Equal(0, Cli.Run("import", pt, "--decoder", "sbd", "--out", plain).ExitCode);
        Assert.Equal("gaussian", Likelihood(plain)); // nothing recorded, nothing stated: the default
        Assert.NotEqual(original, Reconstructions(plain, data));
    }

    [Fact]
    public void ExportWritesTheVaeButNeverTheDiscriminator()
    {
        string dir = TestData.TempDir("factorvae-export");
        string run = Train(dir, new ModelConfig { Decoder = DecoderKind.Deconv, Objective = "factorvae", Gamma = 5 });
        var checkpoint = RunFolder.Open(run).LoadCheckpoint();
        Assert.Contains(checkpoint.Tensors.Keys, k => k.StartsWith("discriminator.", StringComparison.Ordinal));

        string st = Path.Combine(dir, "model.safetensors");
        Assert.Equal(0, Cli.Run("export", run, "--out", st).ExitCode);
        var (tensors, meta) = SafeTensors.Read(st);
        Assert.All(tensors.Keys, k => Assert.True(k.StartsWith("encoder.", StringComparison.Ordinal) || k.StartsWith("decoder.", StringComparison.Ordinal), k));
        using (var vae = new Vae(checkpoint.Config.Model))
            Assert.Equal(vae.state_dict().Keys.Order(), tensors.Keys.Order());
        Assert.Equal(("gaussian", "factorvae"), (meta["likelihood"], meta["objective"]));

        string pt = Path.Combine(dir, "model.pt");
        Assert.Equal(0, Cli.Run("export", run, "--format", "pt", "--out", pt).ExitCode);
        var names = Sbvae.Interop.WeightFile.Read(pt).Tensors.Select(t => t.Name).ToList();
        Assert.DoesNotContain(names, n => n.Contains("discriminator"));
        Assert.Equal(tensors.Count, names.Count);

        // the imported run notes the objective it does not take over
        string back = Path.Combine(dir, "back");
        var import = Cli.Run("import", st, "--decoder", "deconv", "--out", back);
        Assert.True(import.ExitCode == 0, import.Err);
        Assert.Contains("factorvae objective", import.Err);
        using var provenance = JsonDocument.Parse(File.ReadAllText(Path.Combine(back, "import.json")));
        Assert.Contains("factorvae", provenance.RootElement.GetProperty("notes").ToString());
    }
}
