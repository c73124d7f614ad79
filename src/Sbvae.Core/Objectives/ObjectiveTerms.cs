using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>What an objective adds to the reconstruction term for one batch, and what it reports.</summary>
public sealed class ObjectiveTerms : IDisposable
{
    /// <summary>Scalar, differentiable: added to the batch mean of the reconstruction term.</summary>
    public required Tensor Loss { get; init; }
    /// <summary>Scalar tensors to log, detached from the graph (e.g. "tc", "capacity", "dip").</summary>
    public required IReadOnlyDictionary<string, Tensor> Logged { get; init; }

    public void Dispose()
    {
        Loss.Dispose();
        foreach (var t in Logged.Values) t.Dispose();
    }
}
