using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Tests.Models;

public class ModelShapeTests
{
    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void ParameterCountsMatchTheReference()
    {
        using var sbd = new Vae(new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 5 });
        using var deconv = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 5 });
        Assert.Equal(464_906, Count(sbd.Encoder));
        Assert.Equal(42_755, Count(sbd.Decoder));
        Assert.Equal(267_011, Count(deconv.Decoder));
    }

    [Fact]
    public void StateDictKeysFollowTheReferenceLayout()
    {
        using var sbd = new Vae(new ModelConfig { Decoder = DecoderKind.Sbd });
        using var deconv = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv });
        var sbdKeys = sbd.state_dict().Keys.ToHashSet();
        var deconvKeys = deconv.state_dict().Keys.ToHashSet();
        foreach (var i in new[] { 0, 2, 4, 6, 9 })
            Assert.Contains($"encoder.encoder_conv.{i}.weight", sbdKeys);
        Assert.Contains("encoder.fc_mu.0.weight", sbdKeys);
        Assert.Contains("encoder.fc_log_var.0.bias", sbdKeys);
        foreach (var i in new[] { 0, 2, 4 })
            Assert.Contains($"decoder.decoder_convs.{i}.weight", sbdKeys);
        Assert.Contains("decoder.x_grid", sbdKeys);
        Assert.Contains("decoder.y_grid", sbdKeys);
        Assert.Contains("decoder.decoder_upsampling.0.weight", deconvKeys);
        foreach (var i in new[] { 0, 2, 4, 6, 8 })
            Assert.Contains($"decoder.decoder_deconv.{i}.weight", deconvKeys);
        Assert.Equal(new long[] { 64, 64, 4, 4 }, deconv.state_dict()["decoder.decoder_deconv.0.weight"].shape); // (in, out, kH, kW)
    }

    [Theory]
    [InlineData(16, DecoderKind.Sbd, false)]
    [InlineData(32, DecoderKind.Deconv, false)]
    [InlineData(48, DecoderKind.Deconv, false)]
    [InlineData(48, DecoderKind.Sbd, true)]
    [InlineData(64, DecoderKind.Sbd, true)]
    [InlineData(64, DecoderKind.Deconv, false)]
    [InlineData(128, DecoderKind.Sbd, false)]
    public void OutputsHaveTheImageShape(int size, DecoderKind decoder, bool unpadded)
    {
        using var vae = new Vae(new ModelConfig { Decoder = decoder, ImageSize = size, Latent = 3, Unpadded = unpadded });
        using var x = rand(2, 3, size, size);
        var (z, mu, logVar) = vae.Encode(x);
        Assert.Equal(new long[] { 2, 3 }, z.shape);
        Assert.Equal(new long[] { 2, 3 }, mu.shape);
        Assert.Equal(new long[] { 2, 3 }, logVar.shape);
        using var y = vae.Reconstruct(x);
        Assert.Equal(new long[] { 2, 3, size, size }, y.shape);
    }

    [Fact]
    public void CoordinateChannelsVaryDownRowsThenAcrossColumns()
    {
        using var dec = new SpatialBroadcastDecoder(latent: 2, imageSize: 16);
        using var z = tensor(new float[] { 0.5f, -0.25f }).view(1, 2);
        using var b = dec.Broadcast(z);
        Assert.Equal(new long[] { 1, 4, 16, 16 }, b.shape);
        Assert.Equal(0.5f, b[0, 0, 7, 3].item<float>());
        Assert.Equal(-0.25f, b[0, 1, 15, 0].item<float>());
        Assert.Equal(-1f, b[0, 2, 0, 9].item<float>(), 6);   // x_grid: first row
        Assert.Equal(1f, b[0, 2, 15, 2].item<float>(), 6);   // x_grid: last row
        Assert.Equal(-1f, b[0, 3, 5, 0].item<float>(), 6);   // y_grid: first column
        Assert.Equal(1f, b[0, 3, 11, 15].item<float>(), 6);  // y_grid: last column
    }

    [Theory]
    [InlineData(10)]
    [InlineData(40)]
    [InlineData(2000)]
    public void ImpossibleImageSizesAreRejected(int size)
    {
        var e = Assert.Throws<SbvaeException>(() => new ModelConfig { ImageSize = size }.Validate());
        Assert.Contains("multiple of 16", e.Message);
    }
}
