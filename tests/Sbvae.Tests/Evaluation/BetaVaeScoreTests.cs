using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class BetaVaeScoreTests
{
    private static readonly SyntheticFactors Data = new(10, 10, 10);

    private static BetaVaeResult Run(Representation rep, int seed = 1) =>
        BetaVaeScore.Compute(Data, rep, new Random(seed), batchSize: 64, numTrain: 600, numEval: 400);

    [Fact]
    public void FactorsThemselvesScoreNearOne() => Assert.InRange(Run(Reps.Identity).EvalAccuracy, 0.97, 1.0);

    [Fact]
    public void InvertibleTransformWithShuffledDimsScoresNearOne() => Assert.InRange(Run(Reps.CubicShuffled).EvalAccuracy, 0.97, 1.0);

    [Fact]
    public void ConstantAndNoiseScoreNearChance()
    {
        Assert.InRange(Run(Reps.Constant).EvalAccuracy, 0.0, 0.45);
        Assert.InRange(Run(Reps.Noise).EvalAccuracy, 0.0, 0.45);
    }

    [Fact]
    public void RotatingTwoFactorsTogetherScoresClearlyLower()
    {
        // (f0 + f1, f0 − f1) changes both latents alike whichever of f0, f1 is fixed, so the two
        // classes are indistinguishable: about 2/3. (z0 = f0 + K·f1 would not do: fixing f0 is
        // still recognisable as "no latent shrinks".)
        Assert.InRange(Run(Reps.Rotated).EvalAccuracy, 0.5, 0.8);
    }

    [Fact]
    public void PermutingLatentsLeavesTheScoreUnchanged()
    {
        var a = Run(Reps.Rotated, seed: 7);
        var b = Run(Reps.Permuted(Reps.Rotated, [2, 0, 1]), seed: 7);
        Assert.Equal(a.EvalAccuracy, b.EvalAccuracy, 2);
    }
}
