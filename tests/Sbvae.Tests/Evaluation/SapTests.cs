using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class SapTests
{
    private static SapResult Run(IGroundTruthData data, Representation rep, int seed = 1) =>
        Sap.Compute(data, rep, new Random(seed), numTrain: 2000, numTest: 1000);

    [Fact]
    public void BinaryFactorsThemselvesReachTheCeiling()
    {
        // A perfect latent classifies a balanced binary factor exactly, the others at chance: gap 1 − 1/2.
        var r = Run(new SyntheticFactors(2, 2, 2), Reps.Identity);
        Assert.InRange(r.Score, 0.45, 0.55); // chance on the test set can dip a little below 1/2
        for (int j = 0; j < 3; j++) Assert.Equal(1.0, r.ScoreMatrix[j][j], 12);
    }

    [Fact]
    public void InvertibleTransformWithShuffledDimsReachesTheCeiling() =>
        Assert.InRange(Run(new SyntheticFactors(2, 2, 2), Reps.CubicShuffled).Score, 0.45, 0.55);

    [Fact]
    public void ConstantCodesScoreZeroAndNoiseNearZero()
    {
        var data = new SyntheticFactors(10, 10, 10);
        Assert.Equal(0.0, Run(data, Reps.Constant).Score, 12);
        Assert.InRange(Run(data, Reps.Noise).Score, 0.0, 0.05);
    }

    [Fact]
    public void MixingTwoFactorsInOneLatentScoresLowerAndLosesTheFirstFactor()
    {
        var data = new SyntheticFactors(10, 10, 10);
        var separate = Run(data, Reps.Identity);
        var mixed = Run(data, Reps.Mixed(10));
        Assert.True(mixed.Score < separate.Score - 0.02, $"mixed {mixed.Score} vs separate {separate.Score}");
        // f0 hides in the low digits of z0 = f0 + 10·f1: no single latent predicts it linearly.
        Assert.True(Gap(separate, 0) > 0.1, $"separate gap {Gap(separate, 0)}");
        Assert.InRange(Gap(mixed, 0), 0.0, 0.05);
    }

    [Fact]
    public void SvmReachesTheSquaredHingeOptimum()
    {
        var rng = new Random(9);
        var x = Enumerable.Range(0, 2000).Select(n => (float)(n % 10 + 0.3 * rng.NextDouble())).ToArray();
        var y = Enumerable.Range(0, 2000).Select(n => n % 10).ToArray();
        var cost = y.Select(_ => Sap.C).ToArray();
        foreach (int c in new[] { 0, 4, 9 })
        {
            var (w, b) = Sap.SquaredHingeSvm(x, y, c, cost);
            double Objective(double ww, double bb)
            {
                double f = 0.5 * (ww * ww + bb * bb);
                for (int n = 0; n < x.Length; n++)
                    f += cost[n] * Math.Pow(Math.Max(0, 1 - (y[n] == c ? 1 : -1) * (ww * x[n] + bb)), 2);
                return f;
            }
            double best = Objective(w, b);
            foreach (double dw in new[] { -1e-3, 0, 1e-3 })
                foreach (double db in new[] { -1e-3, 0, 1e-3 })
                    Assert.True(Objective(w + dw, b + db) >= best - 1e-12, $"class {c}: not a minimum");
        }
    }

    private static double Gap(SapResult r, int factor)
    {
        var col = r.ScoreMatrix.Select(row => row[factor]).OrderDescending().ToArray();
        return col[0] - col[1];
    }

    [Fact]
    public void PermutingLatentsLeavesTheScoreUnchanged()
    {
        var data = new SyntheticFactors(10, 10, 10);
        var rng = new Random(6);
        var trainF = data.SampleFactors(1000, rng);
        var testF = data.SampleFactors(500, rng);
        var rep = Reps.Mixed(10);
        var train = rep(trainF, rng);
        var test = rep(testF, rng);
        int[] perm = [1, 2, 0];
        var a = Sap.FromCodes(train, trainF, test, testF);
        var b = Sap.FromCodes(Reps.Permute(train, perm), trainF, Reps.Permute(test, perm), testF);
        Assert.Equal(a.Score, b.Score, 12);
        for (int i = 0; i < 3; i++) Assert.Equal(a.ScoreMatrix[perm[i]], b.ScoreMatrix[i]);
    }

    [Fact]
    public void OneLatentIsAUserError() =>
        Assert.Throws<SbvaeException>(() => Sap.FromCodes([[1f], [2f]], [[0], [1]], [[1f]], [[0]]));
}
