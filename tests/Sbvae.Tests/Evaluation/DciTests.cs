using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class DciTests
{
    // Reduced sizes keep each run to a few seconds; the scores below are far from their thresholds.
    private static readonly SyntheticFactors Data = new(10, 10, 10);

    private static DciResult Run(Representation rep, int seed = 1) =>
        Dci.Compute(Data, rep, new Random(seed), numTrain: 1000, numTest: 500, numTrees: 30);

    [Fact]
    public void FactorsThemselvesScoreNearOne()
    {
        var r = Run(Reps.Identity);
        Assert.InRange(r.Disentanglement, 0.9, 1.0);
        Assert.InRange(r.Completeness, 0.9, 1.0);
        Assert.InRange(r.Informativeness, 0.95, 1.0);
        for (int j = 0; j < 3; j++) Assert.True(r.Importance[j][j] > 0.9, $"R[{j}][{j}] = {r.Importance[j][j]}");
    }

    [Fact]
    public void InvertibleTransformWithShuffledDimsScoresNearOne()
    {
        var r = Run(Reps.CubicShuffled);
        Assert.InRange(r.Disentanglement, 0.9, 1.0);
        Assert.InRange(r.Completeness, 0.9, 1.0);
        Assert.InRange(r.Informativeness, 0.95, 1.0);
        Assert.True(r.Importance[2][0] > 0.9 && r.Importance[0][1] > 0.9 && r.Importance[1][2] > 0.9);
    }

    [Fact]
    public void ConstantCodesScoreZero()
    {
        var r = Run(Reps.Constant);
        Assert.Equal(0.0, r.Disentanglement, 6);
        Assert.Equal(0.0, r.Completeness, 6);
        Assert.InRange(r.Informativeness, 0.0, 0.2); // majority class of 10 balanced ones
    }

    [Fact]
    public void NoiseScoresNearZero()
    {
        var r = Run(Reps.Noise);
        Assert.InRange(r.Disentanglement, 0.0, 0.2);
        Assert.InRange(r.Completeness, 0.0, 0.2);
        Assert.InRange(r.Informativeness, 0.0, 0.2);
    }

    [Fact]
    public void MixingTwoFactorsInOneLatentScoresClearlyLower()
    {
        var separate = Run(Reps.Identity);
        var mixed = Run(Reps.Mixed(10));
        Assert.True(mixed.Disentanglement < separate.Disentanglement - 0.2, $"D mixed {mixed.Disentanglement}");
        // The mixed code is still fully informative: z0 = f0 + 10·f1 determines both factors.
        Assert.InRange(mixed.Informativeness, 0.9, 1.0);
    }

    [Fact]
    public void PermutingLatentsPermutesTheImportanceAndKeepsTheScores()
    {
        var rng = new Random(4);
        var trainF = Data.SampleFactors(1000, rng);
        var testF = Data.SampleFactors(500, rng);
        var rep = Reps.Mixed(10);
        var train = rep(trainF, rng);
        var test = rep(testF, rng);
        int[] perm = [2, 0, 1];
        var a = Dci.FromCodes(train, trainF, test, testF, numTrees: 30);
        var b = Dci.FromCodes(Reps.Permute(train, perm), trainF, Reps.Permute(test, perm), testF, numTrees: 30);
        Assert.Equal(a.Disentanglement, b.Disentanglement, 2);
        Assert.Equal(a.Completeness, b.Completeness, 2);
        Assert.Equal(a.Informativeness, b.Informativeness, 2);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(a.Importance[perm[i]][j], b.Importance[i][j], 2);
    }

    [Fact]
    public void ScoresFollowTheReferenceFormulas()
    {
        // Diagonal importance: perfect; one latent used equally for all factors: D = 0, C = 1.
        double[][] diagonal = [[1, 0], [0, 1]];
        Assert.Equal(1.0, Dci.Disentanglement(diagonal), 6);
        Assert.Equal(1.0, Dci.Completeness(diagonal), 6);
        double[][] shared = [[0.5, 0.5], [0, 0]];
        Assert.Equal(0.0, Dci.Disentanglement(shared), 6);
        Assert.Equal(1.0, Dci.Completeness(shared), 6);
    }

    [Fact]
    public void BadInputIsAUserError() =>
        Assert.Throws<SbvaeException>(() => Dci.FromCodes([[1f, 2f]], [[0]], [[1f, 2f]], [[0]]));
}
