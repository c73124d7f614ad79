using Sbvae.Checkpoints;
using Sbvae.Interop;
using static Sbvae.Tests.Interop.InteropTestKit;

namespace Sbvae.Tests.Interop;

/// <summary>Export then import gives back the same weights bit for bit, in both formats.</summary>
public class RoundTripTests
{
    [Theory]
    [InlineData("sbd", ExportFormat.Pt)]
    [InlineData("sbd", ExportFormat.SafeTensors)]
    [InlineData("deconv", ExportFormat.Pt)]
    [InlineData("deconv", ExportFormat.SafeTensors)]
    public void ExportImportKeepsWeightsAndReconstructions(string decoder, ExportFormat format)
    {
        string dir = TestData.TempDir("roundtrip");
        string source = ReferenceWeights.Create(decoder, 3, 16, seed: 5).SavePt(Path.Combine(dir, "source.pt"));
        var first = Importer.Import(source, Path.Combine(dir, "run1"), new ImportOptions());
        string exported = Path.Combine(dir, format == ExportFormat.Pt ? "out.pt" : "out.safetensors");
        Exporter.Export(first.Run.Dir, format, exported);
        var second = Importer.Import(exported, Path.Combine(dir, "run2"), new ImportOptions());
        Assert.Equal(first.Model, second.Model);

        var a = first.Run.LoadCheckpoint().Tensors;
        var b = second.Run.LoadCheckpoint().Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, t) in a) Assert.Equal(t.Data, b[name].Data);

        using var m1 = LoadRun(first.Run.Dir);
        using var m2 = LoadRun(second.Run.Dir);
        var image = RandomImage(16, 9);
        Assert.Equal(Run(m1, image).Recon, Run(m2, image).Recon);
    }

    [Fact]
    public void ExportedFilesUseThePlainReferenceNames()
    {
        string dir = TestData.TempDir("names");
        var weights = ReferenceWeights.Create("sbd", 2, 16);
        var run = Importer.Import(weights.SavePt(Path.Combine(dir, "m.pt")), Path.Combine(dir, "run"), new ImportOptions()).Run;
        string st = Path.Combine(dir, "m.safetensors");
        Exporter.Export(run.Dir, ExportFormat.SafeTensors, st);
        var (tensors, meta) = SafeTensors.Read(st);
        var expected = weights.Tensors.Select(t => t.Name).Append("decoder.x_grid").Append("decoder.y_grid");
        Assert.Equal(expected.Order(), tensors.Keys.Order());
        Assert.Equal("pt", meta["format"]);
        Assert.Equal(weights["encoder.fc_mu.0.weight"], tensors["encoder.fc_mu.0.weight"].ToFloats());

        string pt = Path.Combine(dir, "m2.pt");
        Exporter.Export(run.Dir, ExportFormat.Pt, pt);
        var sd = TorchFileReader.Read(pt);
        Assert.Equal(expected.Order(), sd.Tensors.Select(t => t.Name).Order());
        Assert.Equal(weights["decoder.decoder_convs.0.weight"], sd.Find("decoder.decoder_convs.0.weight")!.ReadFloats());
    }
}
