using System.Diagnostics;
using Sbvae.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sbvae.Diagnostics;

/// <summary>
/// What this machine's cores do at best on this kind of work: a large 3×3 conv (256 channels,
/// 32×32, batch 16, channels-last) through libtorch, in fp32 or bf16, on the current threads.
/// The ceiling `sbvae bench` holds each path's GFLOP/s against; a training step, with its many
/// small layers, runs below it. (Not a matrix product: libtorch's fp32 one measures 4× slower
/// than its fp32 conv on the AMD CPU here.)
/// </summary>
public static class ConvPeak
{
    /// <summary>GFLOP/s of the best of a few forward passes of the conv in <paramref name="dtype"/>.</summary>
    public static double Measure(ScalarType dtype, int repeats = 5)
    {
        const int batch = 16, channels = 256, side = 32;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Kernels.Layout.ToChannelsLast(randn(batch, channels, side, side)).to(dtype);
        var w = randn(channels, channels, 3, 3).to(dtype);
        F.conv2d(x, w, padding: [1, 1]).Dispose(); // first call: kernel selection and buffers
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            F.conv2d(x, w, padding: [1, 1]).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * batch * side * side * 9 * channels * channels / best / 1e9;
    }
}
