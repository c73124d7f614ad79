using System.Text.Json;

namespace Sbvae.Tests.CliTests;

/// <summary>`sbvae profile` end to end on a few steps: the table on screen and the JSON file.</summary>
public class ProfileCommandTests
{
    [Fact]
    public void ProfilePrintsEachLayerAndWritesJson()
    {
        string dir = TestData.TempDir("profile");
        string json = Path.Combine(dir, "profile.json");
        var r = Cli.Run("profile", "--decoder", "deconv", "--precision", "fp32", "--steps", "2", "--warmup", "1", "--threads", "1", "--json", json);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("deconv, fp32 path: batch 16 on 1 libtorch thread", r.Out);
        Assert.Contains("decoder.decoder_deconv.8", r.Out);
        Assert.Contains("all layers", r.Out);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var profile = Assert.Single(doc.RootElement.GetProperty("profiles").EnumerateArray());
        Assert.Equal("deconv", profile.GetProperty("decoder").GetString());
        Assert.False(profile.GetProperty("split").GetBoolean());
        var layers = profile.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(14, layers.Count); // 4 convs, 3 linear layers, the decoder's linear layer and 5 transposed convs, the loss
        Assert.All(layers, l => Assert.True(l.GetProperty("forward_ms").GetDouble() > 0));
        Assert.True(profile.GetProperty("step_ms").GetDouble() > 0);
    }
}
