using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>libtorch's intra-op thread count, which under OpenMP belongs to each thread.</summary>
internal static class LibtorchThreads
{
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
