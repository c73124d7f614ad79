using Sbvae.Cli.Commands;
using Sbvae.Data;
using static Sbvae.Tests.Interop.InteropTestKit;

namespace Sbvae.Tests.Interop;

/// <summary>`sbvae import` / `sbvae export` through the command-line entry point, and the commands that use the result.</summary>
public class InteropCliTests
{
    static (int Code, string Error) Cli(params string[] args)
    {
        var previous = System.Console.Error;
        var error = new StringWriter();
        System.Console.SetError(error);
        try { return (CliApp.Run(args), error.ToString()); }
        finally { System.Console.SetError(previous); }
    }

    [Fact]
    public void ImportedRunEncodesAndReconstructsLikeTheReference()
    {
        string dir = TestData.TempDir("cli-import");
        var weights = ReferenceWeights.Create("sbd", 3, 16, seed: 11);
        string pt = weights.SavePt(Path.Combine(dir, "reference.pt"));
        var data = TestData.Tiny();
        string npz = Path.Combine(dir, "tiny.npz");
        data.Save(npz);
        string run = Path.Combine(dir, "run");

        Assert.Equal(0, Cli("import", pt, "--decoder", "sbd", "--latent", "3", "--out", run).Code);
        Assert.Equal(0, Cli("encode", run, "--dataset", npz, "--out", Path.Combine(dir, "codes.npz")).Code);
        Assert.Equal(0, Cli("reconstruct", run, "--dataset", npz, "--out", Path.Combine(dir, "recon.npz")).Code);

        var mu = Npz.ReadArray(Path.Combine(dir, "codes.npz"), "mu").ToFloats();
        var recon = Npz.ReadArray(Path.Combine(dir, "recon.npz"), "recon").ToFloats();
        var reference = new ManagedVae(weights);
        int per = 3 * 16 * 16;
        foreach (int i in new[] { 0, 17, 71 })
        {
            var (refMu, _) = reference.Encode(DatasetImages.Chw(data, i));
            AssertClose(refMu, mu.AsSpan(i * 3, 3).ToArray());
            AssertClose(reference.Decode(refMu), recon.AsSpan(i * per, per).ToArray());
        }
    }

    [Fact]
    public void ExportThenReimportAndBadInputExitWithTwo()
    {
        string dir = TestData.TempDir("cli-export");
        string pt = ReferenceWeights.Create("deconv", 2, 32).SavePt(Path.Combine(dir, "reference.pt"));
        string run = Path.Combine(dir, "run");
        Assert.Equal(0, Cli("import", pt, "--decoder", "deconv", "--out", run).Code);
        Assert.Equal(0, Cli("export", run, "--format", "pt", "--out", Path.Combine(dir, "out.pt")).Code);
        Assert.Equal(0, Cli("export", run, "--out", Path.Combine(dir, "out.safetensors")).Code);
        Assert.Equal(0, Cli("import", Path.Combine(dir, "out.safetensors"), "--decoder", "deconv", "--out", Path.Combine(dir, "run2")).Code);

        AssertOneLineFailure(Cli("import", Path.Combine(dir, "out.pt"), "--decoder", "sbd", "--out", Path.Combine(dir, "x")));
        AssertOneLineFailure(Cli("import", Path.Combine(dir, "out.pt"), "--decoder", "deconv", "--latent", "7", "--out", Path.Combine(dir, "y")));
        AssertOneLineFailure(Cli("import", pt, "--decoder", "deconv", "--out", run)); // already a run
        AssertOneLineFailure(Cli("export", run, "--format", "onnx", "--out", Path.Combine(dir, "z")));
        AssertOneLineFailure(Cli("export", Path.Combine(dir, "no-such-run"), "--out", Path.Combine(dir, "z.pt")));

        byte[] all = File.ReadAllBytes(pt);
        string truncated = Path.Combine(dir, "truncated.pt");
        File.WriteAllBytes(truncated, all[..(all.Length / 3)]);
        AssertOneLineFailure(Cli("import", truncated, "--decoder", "deconv", "--out", Path.Combine(dir, "t")));
        Assert.False(Directory.Exists(Path.Combine(dir, "t")), "a failed import must not leave a folder behind");
    }

    static void AssertOneLineFailure((int Code, string Error) result)
    {
        Assert.Equal(CliApp.BadInput, result.Code);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("sbvae: error: ", result.Error);
    }
}
