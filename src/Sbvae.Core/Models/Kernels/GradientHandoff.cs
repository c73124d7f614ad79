using static TorchSharp.torch;

namespace Sbvae.Models.Kernels;

/// <summary>
/// Gradients a custom backward returns are handed to libtorch as raw handles; libtorch takes its
/// own reference, but the .NET wrappers would live until the garbage collector finalises them,
/// holding megabytes of native memory per step that the collector does not see. Each kernel
/// keeps its last gradients here and frees them at its next backward, when libtorch is done.
/// </summary>
internal sealed class GradientHandoff
{
    private readonly object gate = new();
    private List<Tensor> pending = [];

    public List<Tensor> Hand(List<Tensor> gradients)
    {
        lock (gate)
        {
            foreach (var t in pending) t?.Dispose();
            pending = [.. gradients.Where(t => t is not null)];
        }
        return gradients;
    }
}
