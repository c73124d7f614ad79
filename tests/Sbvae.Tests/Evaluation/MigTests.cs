using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class MigTests
{
    private static readonly SyntheticFactors Data = new(20, 20, 20);

    private static MigResult Run(Representation rep, int seed = 1) => Mig.Compute(Data, rep, new Random(seed));

    [Fact]
    public void FactorsThemselvesScoreNearOne()
    {
        var r = Run(Reps.Identity);
        Assert.InRange(r.Score, 0.9, 1.0);
        // Each factor's own latent carries all of its entropy (20 values land in 20 separate bins).
        for (int j = 0; j < 3; j++) Assert.Equal(r.FactorEntropy[j], r.MutualInformation[j][j], 9);
    }

    [Fact]
    public void AffinePerFactorWithShuffledDimsScoresNearOne() => Assert.InRange(Run(Reps.AffineShuffled).Score, 0.9, 1.0);

    [Fact]
    public void CubicPerFactorStillSeparatesButEqualWidthBinsLoseInformation()
    {
        // Equal-width bins merge the small values of 3f³+1, so MIG is not invariant to monotone maps.
        double cubic = Run(Reps.CubicShuffled).Score;
        Assert.InRange(cubic, 0.3, 0.9);
    }

    [Fact]
    public void ConstantAndNoiseScoreNearZero()
    {
        Assert.Equal(0.0, Run(Reps.Constant).Score, 12);
        Assert.InRange(Run(Reps.Noise).Score, 0.0, 0.2);
    }

    [Fact]
    public void MixingTwoFactorsInOneLatentScoresClearlyLower()
    {
        double separate = Run(Reps.Identity).Score, mixed = Run(Reps.Mixed(20)).Score;
        Assert.True(mixed < separate - 0.3, $"mixed {mixed} vs separate {separate}");
    }

    [Fact]
    public void PermutingLatentsLeavesTheScoreUnchanged()
    {
        var rng = new Random(3);
        var factors = Data.SampleFactors(5000, rng);
        var codes = Reps.Mixed(20)(factors, rng);
        double a = Mig.FromCodes(codes, factors).Score;
        double b = Mig.FromCodes(Reps.Permute(codes, [2, 0, 1]), factors).Score;
        Assert.Equal(a, b, 12);
    }

    [Fact]
    public void DiscretizeMatchesNumpyHistogramDigitize()
    {
        // np.digitize([0, 0.5, 1, 9.9, 10], np.histogram(x, 4)[1][:-1]) with edges 0, 2.5, 5, 7.5 → 1, 1, 1, 4, 4.
        Assert.Equal([1, 1, 1, 4, 4], Mig.Discretize([0f, 0.5f, 1f, 9.9f, 10f], 4));
        Assert.Equal([1, 1, 2], Mig.Discretize([2.5f, 2.5f, 5f], 2)); // edges 2.5, 3.75: a value on an edge counts it
        Assert.Equal([11, 11], Mig.Discretize([3f, 3f], 20));          // constant: range ±0.5, middle bin
    }

    [Fact]
    public void MutualInformationOfALabelingWithItselfIsItsEntropy()
    {
        Assert.Equal(Math.Log(4), Mig.MutualInformation([0, 1, 2, 3], [0, 1, 2, 3]), 12);
        Assert.Equal(0.0, Mig.MutualInformation([0, 0, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void FactorsThatNeverVaryAreLeftOut()
    {
        // Latent 0 is factor 0; latent 1 only tells its halves apart: gap = (ln 4 − ln 2) / ln 4.
        int[][] factors = [[0, 5], [1, 5], [2, 5], [3, 5]];
        float[][] codes = [[0, 1], [1, 1], [2, 0], [3, 0]];
        var r = Mig.FromCodes(codes, factors);
        Assert.Equal([0], r.ScoredFactors);
        Assert.Equal(0.5, r.Score, 12);
    }

    [Fact]
    public void BadInputIsAUserError()
    {
        Assert.Throws<SbvaeException>(() => Mig.FromCodes([[1f], [2f]], [[0], [1]]));            // one latent
        Assert.Throws<SbvaeException>(() => Mig.FromCodes([[1f, 2f]], [[0], [1]]));              // row counts
        Assert.Throws<SbvaeException>(() => Mig.FromCodes([[1f, float.NaN], [1f, 2f]], [[0], [1]]));
    }
}
