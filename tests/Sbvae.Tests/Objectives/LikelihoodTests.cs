using Sbvae.Models;
using Sbvae.Objectives;
using static TorchSharp.torch;

namespace Sbvae.Tests.Objectives;

public class LikelihoodTests
{
    // Two "images" of 1 channel × 1 × 3 pixels, in float64 so the by-hand values can be compared closely.
    static readonly double[] X = [1, 0, 0.3, 0.5, 0.25, 0];
    static readonly double[] Out = [0.5, -0.25, 0.3, 2, 0.75, -1];

    static Tensor Image(double[] v, bool grad = false) => tensor(v, dtype: ScalarType.Float64).view(2, 1, 1, 3).requires_grad_(grad);

    static double[] PerImage(Func<double, double, double> term)
    {
        var r = new double[2];
        for (int i = 0; i < 2; i++)
            for (int p = 0; p < 3; p++)
                r[i] += term(X[3 * i + p], Out[3 * i + p]);
        return r;
    }

    static void AssertClose(double[] expected, Tensor actual, double tol = 1e-12)
    {
        var a = actual.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(expected[i] - a[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]:R}, got {a[i]:R}");
    }

    static void AssertFiniteGradient(Likelihood l, Tensor x, Tensor output)
    {
        using var nll = l.NegativeLogLikelihood(x, output);
        using var sum = nll.sum();
        sum.backward();
        Assert.True(output.grad is not null && output.grad.isfinite().all().item<bool>());
    }

    [Fact]
    public void GaussianIsTheSquaredErrorOverTwiceTheVariance()
    {
        using var x = Image(X);
        using var o = Image(Out, grad: true);
        var l = new GaussianLikelihood(0.3);
        using var nll = l.NegativeLogLikelihood(x, o);
        AssertClose(PerImage((xv, m) => (xv - m) * (xv - m) / (2 * 0.3)), nll);
        AssertFiniteGradient(l, x, o);
    }

    [Fact]
    public void GaussianGivesTheSameBitsAsLossTerms()
    {
        using var g = new Generator(3);
        using var x = rand([4, 3, 8, 8], generator: g);
        using var xHat = randn([4, 3, 8, 8], generator: g);
        using var mu = randn([4, 5], generator: g);
        using var logVar = randn([4, 5], generator: g);
        using var terms = LossTerms.Compute(x, xHat, mu, logVar, 0.3, 1);
        using var nll = new GaussianLikelihood(0.3).NegativeLogLikelihood(x, xHat);
        Assert.True(nll.equal(terms.Reconstruction).all().item<bool>());
    }

    [Fact]
    public void BernoulliIsTheCrossEntropyWithLogits()
    {
        using var x = Image(X);
        using var o = Image(Out, grad: true);
        var l = new BernoulliLikelihood();
        using var nll = l.NegativeLogLikelihood(x, o);
        // −[x log σ(l) + (1 − x) log(1 − σ(l))], written with probabilities (fine at these small logits).
        AssertClose(PerImage((xv, lv) =>
        {
            double p = 1 / (1 + Math.Exp(-lv));
            return -(xv * Math.Log(p) + (1 - xv) * Math.Log(1 - p));
        }), nll);
        AssertFiniteGradient(l, x, o);
    }

    [Fact]
    public void BernoulliStaysFiniteAndExactAtLargeLogits()
    {
        double[] x = [1, 0, 0.3, 0, 1, 0.3];
        double[] logits = [50, -50, 50, 50, -50, -50];
        // softplus(l) − x·l with softplus(l) = max(l, 0) + log1p(exp(−|l|)): exact in float64.
        var expected = new double[2];
        for (int i = 0; i < 6; i++)
            expected[i / 3] += Math.Max(logits[i], 0) + Math.Log(1 + Math.Exp(-Math.Abs(logits[i]))) - x[i] * logits[i];
        // image 0: ≈ 0 + 0 + 35; image 1: 50 + 50 + 15
        Assert.Equal(35, expected[0], 9);
        Assert.Equal(115, expected[1], 9);
        var l = new BernoulliLikelihood();
        using var xt = tensor(x, dtype: ScalarType.Float64).view(2, 1, 1, 3);
        using var o = tensor(logits, dtype: ScalarType.Float64).view(2, 1, 1, 3).requires_grad_(true);
        using var nll = l.NegativeLogLikelihood(xt, o);
        AssertClose(expected, nll, 1e-15);
        AssertFiniteGradient(l, xt, o);
        // float32 too: no exp overflow, no log(0).
        using var xf = xt.to(ScalarType.Float32);
        using var of = o.detach().to(ScalarType.Float32).requires_grad_(true);
        using var nllF = l.NegativeLogLikelihood(xf, of);
        AssertClose(expected, nllF, 1e-6);
        AssertFiniteGradient(l, xf, of);
    }

    [Fact]
    public void LaplaceIsTheAbsoluteErrorOverTheScale()
    {
        using var x = Image(X);
        using var o = Image(Out, grad: true);
        var l = new LaplaceLikelihood(0.5);
        using var nll = l.NegativeLogLikelihood(x, o);
        AssertClose(PerImage((xv, m) => Math.Abs(xv - m) / 0.5), nll);
        AssertFiniteGradient(l, x, o);
    }

    [Fact]
    public void MeansAreTheOutputOrItsSigmoid()
    {
        using var o = Image(Out);
        using var g = new GaussianLikelihood(0.3).Mean(o);
        using var lap = new LaplaceLikelihood(1).Mean(o);
        using var b = new BernoulliLikelihood().Mean(o);
        Assert.True(g.equal(o).all().item<bool>());
        Assert.True(lap.equal(o).all().item<bool>());
        AssertClose([.. Out.Select(v => 1 / (1 + Math.Exp(-v)))], b.flatten());
    }

    [Fact]
    public void MeanSquaredErrorIsTheSumOverPixelsPerImage()
    {
        using var x = Image(X);
        using var m = Image(Out);
        using var mse = Likelihood.MeanSquaredError(x, m);
        Assert.Equal(new long[] { 2 }, mse.shape);
        AssertClose(PerImage((xv, mv) => (xv - mv) * (xv - mv)), mse);
    }

    [Fact]
    public void CreateByNameAndRefusesBadValues()
    {
        Assert.IsType<GaussianLikelihood>(Likelihood.Create("gaussian", 0.3, 1));
        Assert.IsType<BernoulliLikelihood>(Likelihood.Create("Bernoulli", 0.3, 1));
        var lap = Assert.IsType<LaplaceLikelihood>(Likelihood.Create("laplace", 0.3, 0.2));
        Assert.Equal(0.2, lap.Scale);
        Assert.Equal(["gaussian", "bernoulli", "laplace"], Likelihood.Names.Select(n => Likelihood.Create(n, 1, 1).Name));
        var unknown = Assert.Throws<SbvaeException>(() => Likelihood.Create("poisson", 0.3, 1));
        Assert.DoesNotContain('\n', unknown.Message);
        Assert.Contains("gaussian, bernoulli, laplace", unknown.Message);
        Assert.Contains("variance", Assert.Throws<SbvaeException>(() => Likelihood.Create("gaussian", 0, 1)).Message);
        Assert.Contains("variance", Assert.Throws<SbvaeException>(() => Likelihood.Create("gaussian", double.NaN, 1)).Message);
        Assert.Contains("scale", Assert.Throws<SbvaeException>(() => Likelihood.Create("laplace", 0.3, -1)).Message);
        Assert.Contains("scale", Assert.Throws<SbvaeException>(() => Likelihood.Create("laplace", 0.3, double.PositiveInfinity)).Message);
        Assert.IsType<BernoulliLikelihood>(Likelihood.Create("bernoulli", 0, 0)); // neither is used
    }
}
