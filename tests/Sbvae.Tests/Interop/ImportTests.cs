using Sbvae.Checkpoints;
using Sbvae.Interop;
using Sbvae.Models;
using Sbvae.Training;
using static Sbvae.Tests.Interop.InteropTestKit;
using Grids = Sbvae.Tests.Interop.ReferenceWeights.GridStorage;

namespace Sbvae.Tests.Interop;

/// <summary>Reference-layout weights imported and run: our encode and reconstruct against an independent loop implementation.</summary>
public class ImportTests
{
    static ImportResult Import(string file, ImportOptions? options = null) =>
        Importer.Import(file, Path.Combine(TestData.TempDir("import"), "run"), options ?? new ImportOptions());

    [Theory]
    [InlineData("sbd", Grids.Meshgrid)]
    [InlineData("deconv", Grids.Missing)]
    public void ReferenceSizedModelAgreesWithTheLoopImplementation(string decoder, Grids grids)
    {
        var weights = ReferenceWeights.Create(decoder, latent: 5, imageSize: 64, seed: 7);
        string file = weights.SavePt(Path.Combine(TestData.TempDir("ref64"), "model.pt"), grids);
        var result = Import(file, new ImportOptions { Decoder = ModelConfig.ParseDecoder(decoder) });
        Assert.Equal(new ModelConfig { Decoder = ModelConfig.ParseDecoder(decoder), Latent = 5, ImageSize = 64 }, result.Model);
        Assert.Empty(result.Notes);

        using var model = LoadRun(result.Run.Dir);
        var image = RandomImage(64, seed: 3);
        var (mu, logVar, recon) = Run(model, image);
        var reference = new ManagedVae(weights);
        var (refMu, refLogVar) = reference.Encode(image);
        AssertClose(refMu, mu);
        AssertClose(refLogVar, logVar);
        AssertClose(reference.Decode(refMu), recon);
    }

    [Theory]
    [InlineData(Grids.SharedExpand)]
    [InlineData(Grids.Contiguous)]
    public void GridStorageLayoutsAllGiveTheSameModel(Grids grids)
    {
        var weights = ReferenceWeights.Create("sbd", latent: 3, imageSize: 16, seed: 2);
        string file = weights.SavePt(Path.Combine(TestData.TempDir("grids"), "model.pt"), grids);
        var result = Import(file);
        Assert.Empty(result.Notes);
        using var model = LoadRun(result.Run.Dir);
        var image = RandomImage(16, seed: 4);
        var reference = new ManagedVae(weights);
        AssertClose(reference.Reconstruct(image), Run(model, image).Recon);
    }

    [Fact]
    public void GridOrientationMatchesTheSpec()
    {
        // All weights zero except centre taps that copy channel k (x_grid) through the three convs:
        // the output must be relu(linspace) varying down the rows, constant across columns.
        var weights = ReferenceWeights.Create("sbd", latent: 2, imageSize: 16);
        foreach (var (name, values, _) in weights.Tensors) Array.Clear(values);
        weights["decoder.decoder_convs.0.weight"][(0 * 4 + 2) * 9 + 4] = 1; // out 0 ← in k=2 (x_grid), centre
        weights["decoder.decoder_convs.2.weight"][(0 * 64 + 0) * 9 + 4] = 1;
        for (int c = 0; c < 3; c++) weights["decoder.decoder_convs.4.weight"][(c * 64 + 0) * 9 + 4] = 1;
        var result = Import(weights.SavePt(Path.Combine(TestData.TempDir("orient"), "m.pt")));
        using var model = LoadRun(result.Run.Dir);
        var recon = Run(model, RandomImage(16, 0)).Recon;
        var lin = ReferenceWeights.Linspace(16);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 16; i++)
                for (int j = 0; j < 16; j++)
                    Assert.Equal(Math.Max(0f, lin[i]), recon[(c * 16 + i) * 16 + j], 6);
    }

    [Fact]
    public void BiasOnlyWeightsGiveBiasOutputs()
    {
        // with every weight zero, μ is fc_mu's bias and every pixel of channel c is the last conv's bias c
        var weights = ReferenceWeights.Create("deconv", latent: 4, imageSize: 32);
        foreach (var (name, values, _) in weights.Tensors) if (name.EndsWith(".weight")) Array.Clear(values);
        var result = Import(weights.SavePt(Path.Combine(TestData.TempDir("bias"), "m.pt")));
        using var model = LoadRun(result.Run.Dir);
        var (mu, logVar, recon) = Run(model, RandomImage(32, 1));
        Assert.Equal(weights["encoder.fc_mu.0.bias"], mu);
        Assert.Equal(weights["encoder.fc_log_var.0.bias"], logVar);
        var last = weights["decoder.decoder_deconv.8.bias"];
        for (int p = 0; p < recon.Length; p++) Assert.Equal(last[p / (32 * 32)], recon[p]);
    }

    [Fact]
    public void UnpaddedDecoderIsInferredFromItsLargerGrid()
    {
        var weights = ReferenceWeights.Create("sbd", latent: 2, imageSize: 16);
        var entries = weights.Entries(Grids.Missing);
        var lin = ReferenceWeights.Linspace(22);
        var s = TorchStorage.FromFloats("g", lin);
        entries.Add(new("decoder.x_grid", s, 0, [1, 1, 22, 22], [0, 0, 1, 0]));
        entries.Add(new("decoder.y_grid", s, 0, [1, 1, 22, 22], [0, 0, 0, 1]));
        string file = Path.Combine(TestData.TempDir("unpadded"), "m.pt");
        using (var f = File.Create(file)) TorchFileWriter.Write(f, entries);
        Assert.True(Import(file).Model.Unpadded);
        Assert.Contains("unpadded", OneLine(() => Import(file, new ImportOptions().With(TrainingOptions.Unpadded, false))).Message);
    }

    [Fact]
    public void RunFolderIsCompleteAndResumable()
    {
        string file = ReferenceWeights.Create("sbd", 3, 16).SavePt(Path.Combine(TestData.TempDir("folder"), "m.pt"));
        var result = Import(file, new ImportOptions().With(TrainingOptions.Variance, 0.5).With(TrainingOptions.Beta, 4.0));
        var checkpoint = result.Run.LoadCheckpoint();
        Assert.Equal(0, checkpoint.State.Epoch);
        Assert.Equal(0.5, checkpoint.Config.Model.Variance);
        Assert.Equal(4, checkpoint.Config.Model.Beta);
        Assert.True(File.Exists(result.Run.ConfigPath));
        Assert.True(File.Exists(result.Run.LossesPath));
        Assert.True(File.Exists(Path.Combine(result.Run.Dir, Importer.ProvenanceFile)));
        // a second import into the same folder must not overwrite it
        Assert.Contains("already holds a run", OneLine(() => Importer.Import(file, result.Run.Dir, new ImportOptions())).Message);
    }

    [Fact]
    public void MismatchesNameTheKeyAndShapes()
    {
        string dir = TestData.TempDir("mismatch");
        var weights = ReferenceWeights.Create("sbd", 3, 16);
        string file = weights.SavePt(Path.Combine(dir, "sbd.pt"));
        Assert.Contains("--decoder deconv", OneLine(() => Import(file, new ImportOptions { Decoder = DecoderKind.Deconv })).Message);
        Assert.Contains("--latent 5", OneLine(() => Import(file, new ImportOptions().With(TrainingOptions.Latent, 5))).Message);

        var missing = ReferenceWeights.Create("sbd", 3, 16);
        missing.Tensors.RemoveAll(t => t.Name == "decoder.decoder_convs.2.bias");
        Assert.Contains("decoder.decoder_convs.2.bias", OneLine(() => Import(missing.SavePt(Path.Combine(dir, "missing.pt")))).Message);

        var wrong = ReferenceWeights.Create("sbd", 3, 16);
        int i = wrong.Tensors.FindIndex(t => t.Name == "decoder.decoder_convs.4.weight");
        wrong.Tensors[i] = (wrong.Tensors[i].Name, new float[1 * 64 * 9], [1, 64, 3, 3]);
        var e = OneLine(() => Import(wrong.SavePt(Path.Combine(dir, "wrong.pt"))));
        Assert.Contains("decoder.decoder_convs.4.weight", e.Message);
        Assert.Contains("[1,64,3,3]", e.Message);
        Assert.Contains("[3,64,3,3]", e.Message);

        var extra = ReferenceWeights.Create("sbd", 3, 16);
        extra.Tensors.Add(("decoder.decoder_convs.6.weight", [1f], [1]));
        Assert.Contains("decoder.decoder_convs.6.weight", OneLine(() => Import(extra.SavePt(Path.Combine(dir, "extra.pt")))).Message);

        var both = ReferenceWeights.Create("sbd", 3, 16);
        both.Tensors.Add(("decoder.decoder_deconv.0.weight", [1f], [1]));
        Assert.Contains("both decoders", OneLine(() => Import(both.SavePt(Path.Combine(dir, "both.pt")))).Message);

        var odd = ReferenceWeights.Create("sbd", 3, 16);
        int j = odd.Tensors.FindIndex(t => t.Name == ReferenceLayout.DenseWeight);
        odd.Tensors[j] = (ReferenceLayout.DenseWeight, new float[256 * 100], [256, 100]);
        Assert.Contains(ReferenceLayout.DenseWeight, OneLine(() => Import(odd.SavePt(Path.Combine(dir, "odd.pt")))).Message);
    }
}
