using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// Gradients a custom backward returns are handed to libtorch as raw handles; libtorch takes its
/// own reference, but the .NET wrappers would live until the garbage collector finalises them,
/// holding megabytes of native memory per step that the collector does not see. Each kernel
/// keeps its last gradients here and frees them at its next backward on the same thread (a CPU
/// backward runs on the thread that called it), when libtorch is long done with them.
/// </summary>
internal sealed class GradientHandoff
{
    private readonly ThreadLocal<List<Tensor>> pending = new(() => []);

    public List<Tensor> Hand(List<Tensor> gradients)
    {
        var previous = pending.Value!;
        foreach (var t in previous) t.Dispose();
        pending.Value = [.. gradients.Where(t => t is not null)];
        return gradients;
    }
}
