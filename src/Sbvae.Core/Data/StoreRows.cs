namespace Sbvae.Data;

/// <summary>
/// A few rows of any image store as an in-memory set, so what needs an <see cref="ImageDataset"/>
/// (figures, a sample for a report) never holds a large store's pixels in one array.
/// </summary>
public static class StoreRows
{
    /// <summary>Above this many images, commands that would touch every image sample or ask which ones.</summary>
    public const int Large = 100_000;

    /// <summary>The rows at <paramref name="rows"/>, in that order; factor values are the classes (a store keeps classes only).</summary>
    public static ImageDataset Take(IImageStore store, IReadOnlyList<int> rows)
    {
        if (store is ImageDataset data) return data.Subset(rows);
        int pixels = store.Height * store.Width, c = store.Channels, f = store.FactorNames.Count;
        var bytes = new byte[(long)rows.Count * pixels * c];
        var classes = new long[(long)rows.Count * f];
        var batch = new float[3 * pixels];
        var one = new int[f];
        for (int i = 0; i < rows.Count; i++)
        {
            store.Gather([rows[i]], batch);
            // Gather wrote b / 255 as fp32, which rounds back to b exactly; a greyscale store repeats its channel, so one is kept.
            for (int p = 0; p < pixels; p++)
                for (int ch = 0; ch < c; ch++)
                    bytes[((long)i * pixels + p) * c + ch] = (byte)MathF.Round(batch[ch * pixels + p] * 255f);
            store.ClassesOf(rows[i], one);
            for (int j = 0; j < f; j++) classes[(long)i * f + j] = one[j];
        }
        return new ImageDataset(rows.Count, store.Height, store.Width, c, bytes, [.. store.FactorNames],
            classes.Select(v => (double)v).ToArray(), classes);
    }

    /// <summary><paramref name="count"/> distinct rows of <paramref name="total"/>, chosen by <paramref name="seed"/>, in increasing order (all when count ≥ total).</summary>
    public static int[] Sample(int total, int count, int seed)
    {
        if (count >= total) return Enumerable.Range(0, total).ToArray();
        var rng = new Random(seed);
        var chosen = new HashSet<int>();
        while (chosen.Count < count) chosen.Add(rng.Next(total));
        return [.. chosen.Order()];
    }
}
