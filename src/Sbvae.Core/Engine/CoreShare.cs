namespace Sbvae.Engine;

/// <summary>
/// Cores divided among trainings that run at the same time, as evenly as they go (at least one
/// each): when one training leaves, the others take its cores from their next step. A split
/// batch is computed in the same shares whatever the number of cores, so how the cores move
/// between runs changes how fast each run goes, never what it learns.
/// </summary>
public sealed class CoreShare(int cores)
{
    private readonly List<Lease> running = [];

    public int Cores { get; } = cores >= 1 ? cores : throw new ArgumentOutOfRangeException(nameof(cores), "at least one core");

    /// <summary>A training's part of the cores; read before each step.</summary>
    public sealed class Lease
    {
        private volatile int cores;
        public int Cores => cores;
        internal void Set(int n) => cores = n;
    }

    /// <summary>Adds a training; the cores are divided again.</summary>
    public Lease Join()
    {
        var lease = new Lease();
        lock (running)
        {
            running.Add(lease);
            Divide();
        }
        return lease;
    }

    /// <summary>Removes a finished (or stopped) training; the others share its cores from their next step.</summary>
    public void Leave(Lease lease)
    {
        lock (running)
        {
            if (running.Remove(lease)) Divide();
        }
    }

    void Divide()
    {
        for (int i = 0; i < running.Count; i++)
            running[i].Set(Math.Max(1, Cores / running.Count + (i < Cores % running.Count ? 1 : 0)));
    }
}
