using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Tests.Models;

public class LossTermsTests
{
    [Fact]
    public void TermsMatchHandComputedValues()
    {
        // Two "images" of 2 pixels and k = 2, values chosen to be checked by hand.
        using var x = tensor(new float[] { 1, 0, 0.5f, 0.5f }).view(2, 1, 1, 2);
        using var xHat = tensor(new float[] { 0, 0, 0.5f, 1.5f }).view(2, 1, 1, 2);
        using var mu = tensor(new float[] { 1, 0, 0, 2 }).view(2, 2);
        using var logVar = tensor(new float[] { 0, 0, (float)Math.Log(2), 0 }).view(2, 2);
        using var t = LossTerms.Compute(x, xHat, mu, logVar, variance: 0.25, beta: 2);
        // recon: image 0: (1² + 0)/(2·0.25) = 2; image 1: (0 + 1²)/0.5 = 2
        Assert.Equal(new[] { 2f, 2f }, t.Reconstruction.data<float>().ToArray());
        // KL image 0: −½[(1+0−1−1) + (1+0−0−1)] = 0.5; image 1: −½[(1+ln2−0−2) + (1+0−4−1)] = −½(ln2 − 1 − 4) = 2.5 − ln2/2
        double kl1 = 2.5 - Math.Log(2) / 2;
        Assert.Equal(0.5, t.Kl[0].item<float>(), 5);
        Assert.Equal(kl1, t.Kl[1].item<float>(), 5);
        // loss = mean(recon + β·KL) = ((2 + 1) + (2 + 2·kl1)) / 2
        Assert.Equal((3 + 2 + 2 * kl1) / 2, t.Loss.item<float>(), 5);
    }

    [Fact]
    public void KlIsZeroExactlyAtThePrior()
    {
        using var mu = zeros(3, 4);
        using var logVar = zeros(3, 4);
        using var x = rand(3, 3, 4, 4);
        using var t = LossTerms.Compute(x, x, mu, logVar, 0.3, 1);
        Assert.All(t.Kl.data<float>().ToArray(), v => Assert.Equal(0f, v));
        Assert.All(t.Reconstruction.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ReconstructDecodesTheMeanWithoutSampling()
    {
        using var vae = new Vae(new ModelConfig { ImageSize = 16, Latent = 3 });
        vae.eval();
        using var x = rand(2, 3, 16, 16);
        using var a = vae.Reconstruct(x);
        using var b = vae.Reconstruct(x);
        Assert.True(a.equal(b).all().item<bool>());
        var (mu, _) = vae.Encoder.forward(x);
        using var viaMu = vae.Decode(mu);
        Assert.True(a.allclose(viaMu));
    }
}
