using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class InMemoryGroundTruthTests
{
    private static int[][] Grid(int a, int b) =>
        Enumerable.Range(0, a).SelectMany(i => Enumerable.Range(0, b).Select(j => new[] { i, j })).Reverse().ToArray();

    [Fact]
    public void SizesComeFromTheLargestClass()
    {
        var gt = new InMemoryGroundTruth(Grid(3, 5));
        Assert.Equal(2, gt.NumFactors);
        Assert.Equal([3, 5], gt.FactorsNumValues);
    }

    [Fact]
    public void SamplesAreUniformPerFactorAndFoundInTheDataset()
    {
        var classes = Grid(3, 5);
        var gt = new InMemoryGroundTruth(classes);
        var f = gt.SampleFactors(15000, new Random(2));
        var counts = f.GroupBy(r => r[1]).Select(g => g.Count()).ToArray();
        Assert.Equal(5, counts.Length);
        Assert.All(counts, c => Assert.InRange(c, 2700, 3300));
        var idx = gt.IndicesOf(f);
        for (int i = 0; i < f.Length; i++) Assert.Equal(f[i], classes[idx[i]]);
    }

    [Fact]
    public void MissingCombinationsAndBadRowsAreUserErrors()
    {
        var gt = new InMemoryGroundTruth([[0, 0], [1, 1]]);
        Assert.Throws<SbvaeException>(() => gt.IndicesOf([[0, 1]]));
        Assert.Throws<SbvaeException>(() => gt.IndicesOf([[0, 9]]));
        Assert.Throws<SbvaeException>(() => new InMemoryGroundTruth([[0, 1], [1]]));
        Assert.Throws<SbvaeException>(() => new InMemoryGroundTruth([[0, -1]]));
        Assert.Throws<SbvaeException>(() => new InMemoryGroundTruth([]));
    }
}
