using Sbvae.Data;

namespace Sbvae.Explorer;

/// <summary>
/// The dataset the page browses, read under a lock (the streamed stores read a file, which is not
/// safe from two threads), and the sample the scatter plot and the latents' KL are computed on.
/// </summary>
public sealed class ExplorerData
{
    /// <summary>At most this many images are encoded for the KL order and the scatter plot.</summary>
    public const int MaxSample = 2000;

    readonly IImageStore store;
    readonly object gate = new();

    public int Count => store.Count;
    public int Size => store.Height;
    public IReadOnlyList<string> FactorNames => store.FactorNames;
    public IReadOnlyList<int> FactorSizes => store.FactorSizes;
    /// <summary>Sorted dataset rows: all of them up to <see cref="MaxSample"/>, else a fixed random draw.</summary>
    public long[] Sample { get; }

    public ExplorerData(IImageStore store, int maxSample = MaxSample)
    {
        if (store.Count == 0) throw new SbvaeException("the dataset has no images");
        if (store.Height != store.Width) throw new SbvaeException($"images must be square, got {store.Height}×{store.Width}");
        this.store = store;
        Sample = Draw(store.Count, maxSample);
    }

    static long[] Draw(int count, int max)
    {
        if (count <= max) return [.. Enumerable.Range(0, count).Select(i => (long)i)];
        var picked = new HashSet<long>();
        var rng = new Random(0);
        while (picked.Count < max) picked.Add(rng.Next(count));
        return [.. picked.Order()];
    }

    /// <summary>The images at <paramref name="rows"/> as a (B, 3, H, W) fp32 batch in [0, 1].</summary>
    public float[] Batch(ReadOnlySpan<long> rows)
    {
        var batch = new float[rows.Length * 3 * Size * Size];
        lock (gate) store.Gather(rows, batch);
        return batch;
    }

    public float[] Image(int row) => Batch([row]);

    /// <summary>Factor classes of <paramref name="rows"/>, row after row (empty when the store has no factors).</summary>
    public int[] Factors(ReadOnlySpan<long> rows)
    {
        int f = FactorNames.Count;
        var classes = new int[rows.Length * f];
        if (f == 0) return classes;
        lock (gate)
            for (int i = 0; i < rows.Length; i++) store.ClassesOf((int)rows[i], classes.AsSpan(i * f, f));
        return classes;
    }
}
