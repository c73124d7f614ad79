using Sbvae.Objectives;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Tests.Objectives;

/// <summary>FactorVAE's discriminator, permutation and discriminator loss, and the order of its two updates.</summary>
public class FactorVaeTests
{
    const int B = 64, K = 4;

    /// <summary>z[i, d] = 1000·d + i: every value names its row and column.</summary>
    static Tensor Codes() => (arange(K, dtype: ScalarType.Float64) * 1000).unsqueeze(0) + arange(B, dtype: ScalarType.Float64).unsqueeze(1);

    /// <summary>perm[d][i] = the row of z that landed in row i of column d.</summary>
    static long[][] Rows(Tensor permuted)
    {
        var v = permuted.data<double>().ToArray();
        return [.. Enumerable.Range(0, K).Select(d => Enumerable.Range(0, B).Select(i => (long)v[i * K + d] - 1000L * d).ToArray())];
    }

    [Fact]
    public void PermutationShufflesEachColumnOnItsOwn()
    {
        using var z = Codes();
        using var g = new Generator(7);
        using var p = DimensionPermutation.Permute(z, g);
        Assert.Equal(z.shape, p.shape);
        var rows = Rows(p);
        // Each column is a permutation of the same column: its values stay in the column, each once.
        for (int d = 0; d < K; d++) Assert.Equal(Enumerable.Range(0, B).Select(i => (long)i), rows[d].Order());
        // Independent per dimension: the K permutations all differ (equal ones would have a chance of 1/64!).
        for (int a = 0; a < K; a++)
            for (int b = a + 1; b < K; b++)
                Assert.NotEqual(rows[a], rows[b]);
        // So rows are not kept together: some output row mixes codes of different input rows.
        Assert.Contains(Enumerable.Range(0, B), i => rows.Select(r => r[i]).Distinct().Count() > 1);
        // And it is not the identity.
        Assert.Contains(Enumerable.Range(0, B), i => rows[0][i] != i);
    }

    [Fact]
    public void PermutationFollowsTheGenerator()
    {
        using var z = Codes();
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        using var g3 = new Generator(12);
        using var a = DimensionPermutation.Permute(z, g1);
        using var b = DimensionPermutation.Permute(z, g2);
        using var c = DimensionPermutation.Permute(z, g3);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.equal(c).all().item<bool>());
    }

    [Fact]
    public void DiscriminatorIsSixLayersOfAThousandThenTwoLogits()
    {
        using var d = new FactorVaeDiscriminator(K);
        using var z = randn(5, K);
        using var logits = d.forward(z);
        Assert.Equal(new long[] { 5, 2 }, logits.shape);
        var sd = d.state_dict();
        Assert.Equal(14, sd.Count); // 7 linear layers × (weight, bias)
        Assert.Equal(new long[] { 1000, K }, sd["layers.0.weight"].shape);
        foreach (var i in new[] { 2, 4, 6, 8, 10 })
            Assert.Equal(new long[] { 1000, 1000 }, sd[$"layers.{i}.weight"].shape);
        Assert.Equal(new long[] { 2, 1000 }, sd["layers.12.weight"].shape);
        Assert.Equal(6, d.modules().OfType<LeakyReLU>().Count());
        Assert.All(sd.Where(kv => kv.Key.EndsWith(".bias")), kv => Assert.Equal(0, kv.Value.abs().max().item<float>()));
    }

    [Fact]
    public void DiscriminatorLossAndAccuracyByHand()
    {
        using var lz = tensor(new double[,] { { 2, 0 }, { 0, 1 }, { 1, 1 } }, dtype: ScalarType.Float64);
        using var lp = tensor(new double[,] { { 0, 3 }, { 2, -1 }, { 0.5, 0 } }, dtype: ScalarType.Float64);
        static double LogSoftmax(double a, double b, int cls) => (cls == 0 ? a : b) - Math.Log(Math.Exp(a) + Math.Exp(b));
        double ceZ = -(LogSoftmax(2, 0, 0) + LogSoftmax(0, 1, 0) + LogSoftmax(1, 1, 0)) / 3;
        double cePerm = -(LogSoftmax(0, 3, 1) + LogSoftmax(2, -1, 1) + LogSoftmax(0.5, 0, 1)) / 3;
        var (loss, accuracy) = FactorVaeDiscriminatorLoss.Compute(lz, lp);
        using (loss)
        {
            Assert.Equal(0.5 * (ceZ + cePerm), loss.item<double>(), 12);
            // Right: z rows 0 and 2 (a tie counts as class 0), permuted row 0: 3 of 6.
            Assert.Equal(0.5, accuracy);
        }
    }

    /// <summary>A stand-in encoder (one linear layer) so gradients reaching it can be observed.</summary>
    sealed class Setup : IDisposable
    {
        public readonly Linear Encoder;
        public readonly FactorVaeDiscriminator Discriminator = new(K);
        public readonly Tensor X;
        public readonly Generator Shuffle = new(5);

        public Setup()
        {
            manual_seed(1); // the tests run one at a time (AssemblyInfo), so the global seed is ours here
            Encoder = Linear(6, K);
            X = randn(16, 6);
        }

        public Tensor EncodeZ() => Encoder.forward(X);

        /// <summary>The VAE's side: mean KL (zero here) + γ·TC on D(z), z not detached.</summary>
        public ObjectiveTerms Regularizer(Tensor z)
        {
            var logits = Discriminator.forward(z);
            using var kl = zeros(16);
            return new FactorVae(10).Regularizer(z, z, z, kl, 0, logits);
        }

        public Tensor DiscriminatorLoss(Tensor codes)
        {
            using var permuted = DimensionPermutation.Permute(codes, Shuffle);
            using var lz = Discriminator.forward(codes);
            using var lp = Discriminator.forward(permuted);
            return FactorVaeDiscriminatorLoss.Compute(lz, lp).Loss;
        }

        public void Dispose()
        {
            Encoder.Dispose();
            Discriminator.Dispose();
            X.Dispose();
            Shuffle.Dispose();
        }
    }

    [Fact]
    public void TcReachesTheEncoderButTheDiscriminatorUpdateDoesNot()
    {
        using var s = new Setup();
        using var z = s.EncodeZ();
        using (var terms = s.Regularizer(z))
        {
            using var grad = autograd.grad([terms.Loss], [z], retain_graph: true)[0];
            Assert.True(grad.abs().sum().item<float>() > 0);
        }

        // The discriminator's update on z.detach(): a leaf without history, so nothing flows back.
        using var detached = z.detach();
        Assert.True(detached.is_leaf);
        Assert.False(detached.requires_grad);
        s.Encoder.zero_grad();
        using (var loss = s.DiscriminatorLoss(detached)) loss.backward();
        Assert.Null(s.Encoder.weight!.grad);
        Assert.NotNull(s.Discriminator.parameters().First().grad);

        // Control: without the detach the same loss would train the encoder, which the check above would catch.
        using (var leaky = s.DiscriminatorLoss(z)) leaky.backward();
        Assert.NotNull(s.Encoder.weight!.grad);
    }

    [Fact]
    public void TheVaeBackwardMustComeBeforeTheDiscriminatorStep()
    {
        using var s = new Setup();
        using var discOpt = optim.SGD(s.Discriminator.parameters(), 0.1);

        // Right order: VAE backward, then the discriminator's update.
        using (var z = s.EncodeZ())
        using (var terms = s.Regularizer(z))
        {
            terms.Loss.backward();
            discOpt.zero_grad();
            using var detached = z.detach();
            using (var loss = s.DiscriminatorLoss(detached)) loss.backward();
            discOpt.step();
        }

        // Wrong order: the discriminator's weights change in place while D(z)'s graph still needs them.
        using (var z = s.EncodeZ())
        using (var terms = s.Regularizer(z))
        {
            discOpt.zero_grad();
            using var detached = z.detach();
            using (var loss = s.DiscriminatorLoss(detached)) loss.backward();
            discOpt.step();
            var e = Assert.ThrowsAny<Exception>(() => terms.Loss.backward());
            Assert.Contains("modified by an inplace operation", e.Message);
        }
    }
}
