namespace Sbvae;

/// <summary>
/// Deterministic seeds derived from (run seed, epoch or step), so that the shuffle and the
/// reparameterisation noise of any step can be recomputed after a resume without saving
/// generator state. SplitMix64 mixing: stable across platforms and .NET versions.
/// </summary>
public static class Seeds
{
    public static ulong Mix(long a, long b, long salt)
    {
        ulong x = unchecked((ulong)a * 0x9E3779B97F4A7C15UL ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL ^ (ulong)salt * 0x165667B19E3779F9UL);
        return SplitMix(ref x);
    }

    public static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the <paramref name="n"/> images (Fisher–Yates).</summary>
    public static long[] Permutation(int n, int seed, int epoch)
    {
        var order = new long[n];
        for (int i = 0; i < n; i++) order[i] = i;
        ulong state = Mix(seed, epoch, 1);
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(SplitMix(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Seed of the reparameterisation noise of global step <paramref name="step"/>.</summary>
    public static ulong NoiseSeed(int seed, long step) => Mix(seed, step, 2);

    /// <summary>Seed of the initial weights.</summary>
    public static ulong InitSeed(int seed) => Mix(seed, 0, 3);
}
