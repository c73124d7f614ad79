using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class DSpritesStoreTests
{
    static DSpritesFactors Grid(params int[] sizes) =>
        new(Enumerable.Range(0, sizes.Length).Select(j => $"f{j}").ToArray(),
            sizes.Select(s => Enumerable.Range(0, s).Select(c => (double)c).ToArray()).ToArray());

    [Theory]
    [InlineData(5)]   // 25 pixels: the last packed byte is partly used
    [InlineData(8)]
    [InlineData(64)]
    public void BitPackingRoundTrips(int side)
    {
        var store = new DSpritesStore(Grid(3, 4), side);
        Assert.Equal((side * side + 7) / 8, store.BytesPerImage);
        var rng = new Random(side);
        var masks = new byte[store.Count][];
        for (int row = 0; row < store.Count; row++)
        {
            masks[row] = Enumerable.Range(0, side * side).Select(_ => (byte)rng.Next(2)).ToArray();
            store.SetImage(row, masks[row]);
        }
        var back = new byte[side * side];
        for (int row = 0; row < store.Count; row++)
        {
            store.Image(row, back);
            Assert.Equal(masks[row], back);
            Assert.Equal(masks[row].Count(p => p == 1), store.OnPixels(row));
        }
    }

    [Fact]
    public void PacksMostSignificantBitFirstLikeNumpyPackbits()
    {
        var store = new DSpritesStore(Grid(2), 4);
        var mask = new byte[16];
        mask[0] = 1; mask[9] = 1; mask[15] = 1;
        store.SetImage(1, mask);
        Assert.Equal([0x80, 0x41], store.Packed(1).ToArray());
        Assert.Equal([0, 0], store.Packed(0).ToArray());
    }

    [Fact]
    public void RejectsBadRowsAndBuffers()
    {
        var store = new DSpritesStore(Grid(2, 2), 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Image(4, new byte[64]));
        Assert.Throws<ArgumentException>(() => store.Image(0, new byte[63]));
    }

    [Fact]
    public void FactorGridIsCOrder()
    {
        var g = Grid(2, 3, 4);
        Span<long> c = stackalloc long[3];
        g.Classes(1 * 12 + 2 * 4 + 3, c);
        Assert.Equal([1L, 2, 3], c.ToArray());
        Assert.Equal(23, g.Row([1, 2, 3]));
        Assert.Equal(24, g.Count);
    }

    [Fact]
    public void SampleRowsAreDistinctSortedSeededAndInRange()
    {
        int[] a = DSpritesSubsets.SampleRows(737_280, 1000, seed: 3);
        Assert.Equal(1000, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.All(a, r => Assert.InRange(r, 0, 737_279));
        Assert.Equal(a, DSpritesSubsets.SampleRows(737_280, 1000, seed: 3));
        Assert.NotEqual(a, DSpritesSubsets.SampleRows(737_280, 1000, seed: 4));
        Assert.Equal(Enumerable.Range(0, 10), DSpritesSubsets.SampleRows(10, 10, seed: 1));
        Assert.Throws<SbvaeException>(() => DSpritesSubsets.SampleRows(10, 11, seed: 1));
        Assert.Throws<SbvaeException>(() => DSpritesSubsets.SampleRows(10, 0, seed: 1));
    }

    [Fact]
    public void SampleRowsCoverTheWholeRange()
    {
        // Rows are drawn uniformly: 5000 of 10000 should land about half in each half, not all at the front.
        int[] a = DSpritesSubsets.SampleRows(10_000, 5000, seed: 9);
        Assert.InRange(a.Count(r => r < 5000), 2300, 2700);
    }
}
