using Sbvae.Objectives;
using static TorchSharp.torch;

namespace Sbvae.Tests.Objectives;

/// <summary>Each regulariser against the same quantity computed by hand in float64 loops.</summary>
public class ObjectiveTests
{
    const int B = 4, K = 3;
    // A fixed batch: means, log-variances, samples near the means, and per-image KLs (independent values).
    static readonly double[,] Mu = { { 0.5, -1.0, 0.2 }, { 1.5, 0.3, -0.4 }, { -0.7, 0.8, 1.1 }, { 0.1, -0.2, -1.3 } };
    static readonly double[,] LogVar = { { -1.0, -0.5, 0.0 }, { -2.0, 0.3, -0.7 }, { -0.2, -1.5, 0.4 }, { 0.1, -0.9, -1.2 } };
    static readonly double[,] Z = { { 0.7, -0.6, 0.1 }, { 1.2, 0.9, -0.2 }, { -0.4, 0.5, 1.9 }, { 0.3, -0.8, -1.0 } };
    static readonly double[] Kl = [1.5, 0.2, 3.0, 0.7];
    static readonly double MeanKl = Kl.Average();

    static Tensor T(double[,] a) => tensor(a, dtype: ScalarType.Float64);
    static Tensor T(double[] a) => tensor(a, dtype: ScalarType.Float64);

    static ObjectiveTerms Apply(Objective o, long step = 0, Tensor? logits = null)
    {
        using var mu = T(Mu);
        using var logVar = T(LogVar);
        using var z = T(Z);
        using var kl = T(Kl);
        return o.Regularizer(mu, logVar, z, kl, step, logits);
    }

    static void Close(double expected, Tensor actual, double tol = 1e-12) =>
        Assert.True(Math.Abs(expected - actual.item<double>()) <= tol * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual.item<double>():R}");

    [Fact]
    public void BetaVaeIsBetaTimesTheMeanKl()
    {
        using var t = Apply(new BetaVae(4));
        Close(4 * MeanKl, t.Loss);
        Assert.Empty(t.Logged);
    }

    [Fact]
    public void CapacityRisesLinearlyThenHolds()
    {
        var a = new AnnealedVae(gamma: 1000, capacityMax: 25, capacitySteps: 100);
        Assert.Equal(0, a.Capacity(0));
        Assert.Equal(12.5, a.Capacity(50));
        Assert.Equal(0.25 * 3, a.Capacity(3));
        Assert.Equal(25, a.Capacity(100));
        Assert.Equal(25, a.Capacity(250));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Capacity(-1));
    }

    [Theory]
    [InlineData(0)]    // C = 0 < mean KL
    [InlineData(5)]    // C = 1.25 < mean KL = 1.35
    [InlineData(6)]    // C = 1.5 > mean KL
    [InlineData(1000)] // C = C_max
    public void AnnealedIsGammaTimesTheDistanceToTheCapacity(long step)
    {
        var a = new AnnealedVae(gamma: 7, capacityMax: 25, capacitySteps: 100);
        double c = Math.Min(25, 25.0 * step / 100);
        using var t = Apply(a, step);
        Close(7 * Math.Abs(MeanKl - c), t.Loss);
        Close(c, t.Logged["capacity"]);
    }

    /// <summary>The minibatch-weighted-sampling estimate, brute force over i, j, d, log(N·M) included.</summary>
    static double BruteForceTc(long n)
    {
        static double LogDensity(double x, double mu, double logVar) =>
            -0.5 * ((x - mu) * (x - mu) / Math.Exp(logVar) + logVar + Math.Log(2 * Math.PI));
        static double LogSumExp(double[] v)
        {
            double max = v.Max(), s = 0;
            foreach (var x in v) s += Math.Exp(x - max);
            return max + Math.Log(s);
        }
        double logNm = Math.Log((double)n * B), tc = 0;
        for (int i = 0; i < B; i++)
        {
            var joint = new double[B];
            for (int j = 0; j < B; j++)
                for (int d = 0; d < K; d++)
                    joint[j] += LogDensity(Z[i, d], Mu[j, d], LogVar[j, d]);
            double logQz = LogSumExp(joint) - logNm;
            double logProduct = 0;
            for (int d = 0; d < K; d++)
            {
                var marginal = new double[B];
                for (int j = 0; j < B; j++) marginal[j] = LogDensity(Z[i, d], Mu[j, d], LogVar[j, d]);
                logProduct += LogSumExp(marginal) - logNm;
            }
            tc += (logQz - logProduct) / B;
        }
        return tc;
    }

    [Theory]
    [InlineData(6.0, 1000)]
    [InlineData(1.0, 737280)]
    [InlineData(0.5, 50)]
    public void BetaTcVaeMatchesTheBruteForceEstimator(double beta, long n)
    {
        double tc = BruteForceTc(n);
        using var t = Apply(new BetaTcVae(beta, n));
        Close(tc, t.Logged["tc"]);
        Close(MeanKl + (beta - 1) * tc, t.Loss);
    }

    [Fact]
    public void BetaTcVaeKeepsTheConstantThatDisentanglementLibDrops()
    {
        // The estimates for two dataset sizes differ by exactly (k − 1)·log(N₁/N₂).
        using var a = Apply(new BetaTcVae(2, 1000));
        using var b = Apply(new BetaTcVae(2, 10));
        Close((K - 1) * Math.Log(100), a.Logged["tc"] - b.Logged["tc"], 1e-12);
    }

    static double HandDip(DipType type, double lambdaOd, double lambdaD)
    {
        var mean = new double[K];
        for (int a = 0; a < K; a++) for (int i = 0; i < B; i++) mean[a] += Mu[i, a] / B;
        double penalty = 0;
        for (int a = 0; a < K; a++)
            for (int c = 0; c < K; c++)
            {
                double cov = 0;
                for (int i = 0; i < B; i++) cov += (Mu[i, a] - mean[a]) * (Mu[i, c] - mean[c]) / B; // biased, = E[μμᵀ] − E[μ]E[μ]ᵀ
                if (type == DipType.II && a == c)
                    for (int i = 0; i < B; i++) cov += Math.Exp(LogVar[i, a]) / B;
                penalty += a == c ? lambdaD * (cov - 1) * (cov - 1) : lambdaOd * cov * cov;
            }
        return penalty;
    }

    [Theory]
    [InlineData(DipType.I)]
    [InlineData(DipType.II)]
    public void DipVaePenalisesTheCovarianceByHand(DipType type)
    {
        double dip = HandDip(type, 2, 5);
        using var t = Apply(new DipVae(type, 2, 5));
        Close(dip, t.Logged["dip"]);
        Close(MeanKl + dip, t.Loss);
        // The two types differ (type II adds the mean encoder variance to the diagonal).
        Assert.NotEqual(HandDip(DipType.I, 2, 5), HandDip(DipType.II, 2, 5), 6);
    }

    [Fact]
    public void DipVaeDefaultLambdaDependsOnTheType()
    {
        Assert.Equal(100, DipVae.DefaultLambdaD(DipType.I, 10));
        Assert.Equal(10, DipVae.DefaultLambdaD(DipType.II, 10));
    }

    [Fact]
    public void FactorVaeIsGammaTimesTheMeanLogitDifference()
    {
        using var logits = T(new double[,] { { 2.0, -1.0 }, { 0.5, 0.25 }, { -3.0, 1.0 }, { 0.0, 0.0 } });
        double tc = ((2 + 1) + 0.25 + (-4) + 0) / 4.0;
        using var t = Apply(new FactorVae(10), logits: logits);
        Close(tc, t.Logged["tc"]);
        Close(MeanKl + 10 * tc, t.Loss);
        Assert.Throws<ArgumentNullException>(() => Apply(new FactorVae(10)));
    }

    [Fact]
    public void LoggedValuesAreDetached()
    {
        using var mu = T(Mu).requires_grad_(true);
        using var logVar = T(LogVar).requires_grad_(true);
        using var z = T(Z).requires_grad_(true);
        using var kl = T(Kl).requires_grad_(true);
        foreach (var o in new Objective[] { new BetaTcVae(3, 100), new DipVae(DipType.II, 1, 1), new AnnealedVae(1, 1, 1) })
        {
            using var t = o.Regularizer(mu, logVar, z, kl, 0);
            Assert.True(t.Loss.requires_grad);
            Assert.All(t.Logged.Values, v => Assert.False(v.requires_grad));
        }
    }
}
