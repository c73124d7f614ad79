using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// Threads that each compute a share of a training batch with one libtorch thread, for
/// <see cref="EngineOptions.SplitBatch"/>. These models are too small for libtorch's
/// intra-op threads to keep two cores busy (most ops take well under a millisecond), so the
/// batch is split across cores instead. Share 0 runs on the calling thread.
/// </summary>
internal sealed class BatchWorkers : IDisposable
{
    private readonly Thread[] threads;
    private readonly SemaphoreSlim[] start;
    private readonly CountdownEvent finished = new(0);
    private Action<int>? body;
    private Exception?[] errors;
    private bool disposed;

    public int Count { get; }

    public BatchWorkers(int count)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), "a split needs at least two workers");
        Count = count;
        errors = new Exception?[count];
        start = [.. Enumerable.Range(0, count).Select(_ => new SemaphoreSlim(0))];
        threads = new Thread[count];
        using var ready = new CountdownEvent(count - 1);
        for (int i = 1; i < count; i++)
        {
            int share = i;
            threads[i] = new Thread(() => Loop(share, ready)) { IsBackground = true, Name = $"sbvae batch worker {share}" };
            threads[i].Start();
        }
        ready.Wait(); // each worker has set its own libtorch thread count before anyone else sets it again
    }

    private void Loop(int share, CountdownEvent ready)
    {
        LibtorchThreads.Set(1);
        ready.Signal();
        while (true)
        {
            start[share].Wait();
            if (disposed) return;
            try { body!(share); }
            catch (Exception e) { errors[share] = e; }
            finally { finished.Signal(); }
        }
    }

    /// <summary>Runs <paramref name="work"/>(worker) on every worker at once and waits; rethrows the first failure.</summary>
    public void Run(Action<int> work) => Run(Count, work);

    /// <summary>Runs <paramref name="work"/>(worker) on the first <paramref name="active"/> workers (the caller is worker 0) and waits.</summary>
    public void Run(int active, Action<int> work)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (active < 1 || active > Count) throw new ArgumentOutOfRangeException(nameof(active), $"between 1 and {Count} workers");
        body = work;
        errors = new Exception?[Count];
        finished.Reset(active - 1);
        for (int i = 1; i < active; i++) start[i].Release();
        try { work(0); }
        catch (Exception e) { errors[0] = e; }
        finished.Wait();
        body = null;
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        for (int i = 1; i < Count; i++) start[i].Release();
        for (int i = 1; i < Count; i++) threads[i].Join();
        foreach (var s in start) s.Dispose();
        finished.Dispose();
    }
}
