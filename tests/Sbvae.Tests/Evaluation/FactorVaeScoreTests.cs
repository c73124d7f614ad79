using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class FactorVaeScoreTests
{
    private static readonly SyntheticFactors Data = new(10, 10, 10);

    private static FactorVaeResult Run(Representation rep, int seed = 1) =>
        FactorVaeScore.Compute(Data, rep, new Random(seed), batchSize: 64, numTrain: 600, numEval: 400, numVarianceEstimate: 2000);

    [Fact]
    public void FactorsThemselvesScoreOne()
    {
        var r = Run(Reps.Identity);
        Assert.Equal(1.0, r.EvalAccuracy, 12);
        Assert.Equal(3, r.NumActiveDims);
    }

    [Fact]
    public void InvertibleTransformWithShuffledDimsScoresOne() => Assert.Equal(1.0, Run(Reps.CubicShuffled).EvalAccuracy, 12);

    [Fact]
    public void ConstantCodesHaveNoActiveDimsAndScoreZero()
    {
        var r = Run(Reps.Constant);
        Assert.Equal(0, r.NumActiveDims);
        Assert.Equal(0.0, r.EvalAccuracy);
    }

    [Fact]
    public void NoiseScoresNearChance()
    {
        // With 3 factors chance is 1/3; a majority vote over noise cannot do much better.
        Assert.InRange(Run(Reps.Noise).EvalAccuracy, 0.0, 0.45);
    }

    [Fact]
    public void MixingTwoFactorsInOneLatentScoresClearlyLower()
    {
        // Fixing f0 leaves every latent's variance nearly whole, so its votes scatter; only those
        // landing on the noise latent (whose majority they are) count: about 0.8 against 1.
        Assert.InRange(Run(Reps.Mixed(10)).EvalAccuracy, 0.6, 0.9);
        Assert.InRange(Run(Reps.Rotated).EvalAccuracy, 0.55, 0.8);
    }

    [Fact]
    public void PermutingLatentsLeavesTheScoreUnchanged()
    {
        var a = Run(Reps.Mixed(10), seed: 5);
        var b = Run(Reps.Permuted(Reps.Mixed(10), [1, 2, 0]), seed: 5);
        Assert.Equal(a.EvalAccuracy, b.EvalAccuracy, 12);
        Assert.Equal(a.TrainAccuracy, b.TrainAccuracy, 12);
    }

    [Fact]
    public void DeadLatentsArePruned()
    {
        var withDead = Reps.Map((f, _) => [f[0], 0.01f * f[1], f[1], f[2]]); // std of dim 1 ≈ 0.029 < 0.05
        var r = Run(withDead);
        Assert.Equal(3, r.NumActiveDims);
        Assert.Equal(1.0, r.EvalAccuracy, 12);
    }

    [Fact]
    public void BatchOfOneIsAUserError() =>
        Assert.Throws<SbvaeException>(() => FactorVaeScore.Compute(Data, Reps.Identity, new Random(1), batchSize: 1));
}
