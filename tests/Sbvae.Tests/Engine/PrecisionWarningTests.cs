using Sbvae.Engine;

namespace Sbvae.Tests.Engine;

/// <summary>bf16 where the CPU only emulates it trains, slower than fp32, and says so; the CPU check can be overridden.</summary>
public class PrecisionWarningTests
{
    static Cli.Result Train(string precision, string nativeBf16)
    {
        string root = TestData.TempDir("precision-warning");
        string dataset = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(dataset);
        return Cli.RunProcess(["train", "--decoder", "deconv", "--epochs", "1", "--latent", "3", "--batch", "36", "--threads", "1",
            "--precision", precision, "--dataset", dataset, "--out", Path.Combine(root, "run")],
            new Dictionary<string, string> { [PrecisionSupport.OverrideVariable] = nativeBf16 });
    }

    [Fact]
    public void Bf16WithoutNativeSupportTrainsAndWarnsInOneLine()
    {
        var result = Train("bf16", "0");
        Assert.Equal(0, result.ExitCode);
        var warnings = result.Err.Split('\n').Where(l => l.Contains("no native bf16")).ToList();
        Assert.Single(warnings);
        Assert.StartsWith("sbvae: warning: ", warnings[0]);
    }

    [Theory]
    [InlineData("bf16", "1")] // native: nothing to say
    [InlineData("auto", "0")] // auto picks fp32 there
    [InlineData("fp32", "0")]
    public void OtherwiseNoWarning(string precision, string nativeBf16)
    {
        var result = Train(precision, nativeBf16);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("no native bf16", result.Err);
    }

    [Fact]
    public void TheWarningNamesTheCaseOnlyForBf16OnTheCpu()
    {
        Assert.Null(PrecisionSupport.SlowWarning("fp32", TorchSharp.torch.CPU));
        Assert.Null(PrecisionSupport.SlowWarning("auto", TorchSharp.torch.CPU));
        Assert.Equal(!PrecisionSupport.CpuHasNativeBf16, PrecisionSupport.SlowWarning("bf16", TorchSharp.torch.CPU) is not null);
    }
}
