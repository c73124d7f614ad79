namespace Sbvae.Data;

/// <summary>
/// Picks rows of a dSprites-style source and materialises them as an in-memory
/// <see cref="ImageDataset"/> (1 channel, pixels 0/255, the source's factors), because the
/// full set does not fit one.
/// </summary>
public static class DSpritesSubsets
{
    public static ImageDataset ToImageDataset(this IDSpritesSource source, IReadOnlyList<int> rows)
    {
        int n = rows.Count, side = source.Side, f = source.Factors.NumFactors, imageBytes = side * side;
        if ((long)n * imageBytes > Array.MaxLength)
            throw new SbvaeException($"{n:N0} images of {side}×{side} do not fit in memory (2 GB); ask for fewer");
        var pixels = new byte[n * imageBytes];
        var values = new double[n * f];
        var classes = new long[n * f];
        for (int i = 0; i < n; i++)
        {
            var img = pixels.AsSpan(i * imageBytes, imageBytes);
            source.Image(rows[i], img);
            for (int p = 0; p < img.Length; p++) img[p] = (byte)(img[p] * 255);
            source.Factors.Classes(rows[i], classes.AsSpan(i * f, f));
            source.Factors.Values(rows[i], values.AsSpan(i * f, f));
        }
        return new ImageDataset(n, side, side, 1, pixels, source.Factors.Names.ToArray(), values, classes);
    }

    /// <summary><paramref name="count"/> distinct random rows (seeded), in ascending order.</summary>
    public static ImageDataset ToImageDataset(this IDSpritesSource source, int count, int seed) =>
        source.ToImageDataset(SampleRows(source.Count, count, seed));

    /// <summary>
    /// <paramref name="count"/> distinct rows out of 0..total−1, uniformly, sorted ascending; a sparse
    /// Fisher–Yates shuffle so the cost follows <paramref name="count"/>, not <paramref name="total"/>.
    /// </summary>
    public static int[] SampleRows(int total, int count, int seed)
    {
        if (count < 1)
            throw new SbvaeException($"the number of images must be at least 1, got {count}");
        if (count > total)
            throw new SbvaeException($"asked for {count:N0} images but the factor grid has only {total:N0}");
        var rng = new Random(seed);
        var moved = new Dictionary<int, int>();
        var rows = new int[count];
        for (int i = 0; i < count; i++)
        {
            int j = rng.Next(i, total);
            int atJ = moved.GetValueOrDefault(j, j);
            moved[j] = moved.GetValueOrDefault(i, i);
            rows[i] = atJ;
        }
        Array.Sort(rows);
        return rows;
    }
}
