using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class DatasetSubsetsTests
{
    static double Value(ImageDataset d, int row, string factor) => d.FactorValues[(long)row * d.NumFactors + Array.IndexOf(d.FactorNames, factor)];
    static long Class(ImageDataset d, int row, string factor) => d.FactorClasses[(long)row * d.NumFactors + Array.IndexOf(d.FactorNames, factor)];

    [Fact]
    public void SubsetCopiesImagesAndFactorsOfTheChosenRows()
    {
        var data = TestData.Tiny();
        var sub = data.Subset([5, 0, 71]);
        Assert.Equal(3, sub.Count);
        Assert.True(sub.Image(0).SequenceEqual(data.Image(5)));
        Assert.True(sub.Image(2).SequenceEqual(data.Image(71)));
        Assert.Equal(data.Classes(71).ToArray(), sub.Classes(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([72]));
    }

    [Fact]
    public void HeldOutSplitExcludesExactlyTheRegion()
    {
        var data = SpriteGenerator.Generate(new SpriteSpec { NumPos = 11, Sizes = [4], Colors = ["red", "lime"], ImgSize = 16 });
        var region = new FactorRegion(0.3, 0.6, 0.2, 0.5);
        var (train, held) = DatasetSubsets.SplitRegion(data, region);
        Assert.Equal(data.Count, train.Count + held.Count);
        for (int i = 0; i < train.Count; i++) Assert.False(region.Contains(Value(train, i, "x"), Value(train, i, "y")));
        for (int i = 0; i < held.Count; i++) Assert.True(region.Contains(Value(held, i, "x"), Value(held, i, "y")));
        // x ∈ {0.3, 0.4, 0.5, 0.6} and y ∈ {0.2, 0.3, 0.4, 0.5} on linspace(0, 1, 11), 2 colours
        Assert.Equal(4 * 4 * 2, held.Count);
        // every held-out image really is absent from the training images
        var trainImages = Enumerable.Range(0, train.Count).Select(i => Convert.ToBase64String(train.Image(i))).ToHashSet();
        for (int i = 0; i < held.Count; i++) Assert.DoesNotContain(Convert.ToBase64String(held.Image(i)), trainImages);
    }

    [Fact]
    public void ARegionOutsideOrCoveringEverythingIsRefused()
    {
        var data = TestData.Tiny();
        Assert.Throws<SbvaeException>(() => DatasetSubsets.SplitRegion(data, new FactorRegion(0.01, 0.02, 0.01, 0.02)));
        Assert.Throws<SbvaeException>(() => DatasetSubsets.SplitRegion(data, new FactorRegion(0, 1, 0, 1)));
    }

    [Theory]
    [InlineData("0.2,0.4,0.1,0.9", 0.2, 0.4, 0.1, 0.9)]
    [InlineData(" 0, 1, 0.5, 0.75 ", 0, 1, 0.5, 0.75)]
    public void RegionsParse(string text, double x0, double x1, double y0, double y1) =>
        Assert.Equal(new FactorRegion(x0, x1, y0, y1), FactorRegion.Parse(text));

    [Theory]
    [InlineData("0.2,0.4,0.1")]
    [InlineData("a,b,c,d")]
    [InlineData("0.5,0.4,0.1,0.2")]
    [InlineData("-0.1,0.4,0.1,0.2")]
    [InlineData("0.1,1.5,0.1,0.2")]
    public void BadRegionsAreRefused(string text) => Assert.Throws<SbvaeException>(() => FactorRegion.Parse(text));

    [Fact]
    public void FullDependenceMakesColourAFunctionOfX()
    {
        var data = SpriteGenerator.Generate(new SpriteSpec { NumPos = 9, Sizes = [4], Colors = ["red", "lime", "blue"], ImgSize = 16 });
        var dep = DatasetSubsets.DependentColour(data, 1.0, seed: 0);
        Assert.Equal(data.Count / 3, dep.Count); // exactly one colour per position
        for (int i = 0; i < dep.Count; i++)
            Assert.Equal(Math.Min(2, (int)(Value(dep, i, "x") * 3)), Class(dep, i, "color"));
    }

    [Fact]
    public void PartialDependenceKeepsSomeMismatchesAndIsSeeded()
    {
        var data = SpriteGenerator.Generate(new SpriteSpec { NumPos = 12, Sizes = [4], Colors = ["red", "lime", "blue"], ImgSize = 16 });
        Assert.Equal(data.Count, DatasetSubsets.DependentColour(data, 0, seed: 0).Count);
        var a = DatasetSubsets.DependentColour(data, 0.5, seed: 1);
        var b = DatasetSubsets.DependentColour(data, 0.5, seed: 1);
        Assert.Equal(a.FactorClasses, b.FactorClasses);
        int mismatches = Enumerable.Range(0, a.Count).Count(i => Class(a, i, "color") != Math.Min(2, (int)(Value(a, i, "x") * 3)));
        // 2/3 of the 432 images mismatch; about half of those survive
        Assert.InRange(mismatches, 100, 190);
        Assert.Throws<SbvaeException>(() => DatasetSubsets.DependentColour(data, 1.5, seed: 0));
    }
}
