using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>libtorch's intra-op thread count, which under OpenMP belongs to each thread.</summary>
public static class LibtorchThreads
{
    /// <summary>Sets libtorch's thread count for a run (0 = one per core) and returns the count used.</summary>
    public static int Use(int threads)
    {
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        Set(n);
        return n;
    }

    /// <summary>
    /// Sets the calling thread's count. libtorch gives a thread the count last set by any thread
    /// when it first asks for it, so the thread asks once between two sets: otherwise a run
    /// ending on another thread could hand this one its count, and with it other sums.
    /// </summary>
    public static void Set(int n)
    {
        set_num_threads(n);
        get_num_threads();
        set_num_threads(n);
    }
}
