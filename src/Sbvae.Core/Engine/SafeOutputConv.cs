using Sbvae.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Engine;

/// <summary>
/// A 3×3 conv to fewer than 16 channels (the spatial broadcast decoder's last, 64 → 3) with
/// right gradients. libtorch 2.10's CPU convolution computes a wrong input gradient when a 3×3
/// conv has fewer than 16 output channels: fp32 on NCHW input (measured here for 3, 4 and 8;
/// right for 16 and 32, and right for fp32 channels-last input) and bf16 in either layout
/// (≈60% off for 3). That would corrupt every gradient upstream, so in those cases the weights
/// are zero-padded to 16 output channels and the first 3 kept: the same function, the same
/// gradients for the real weights, at a small extra cost. A bf16 activation is read as it is
/// (no fp32 copy), in bf16.
/// </summary>
internal static class SafeOutputConv
{
    const long SafeOutChannels = 16;

    public static Tensor Apply(Tensor h, Conv2d last)
    {
        long outCh = last.weight!.shape[0];
        bool low = h.dtype == ScalarType.BFloat16;
        if (!low && (outCh >= SafeOutChannels || Layout.IsChannelsLast(h))) return last.forward(h);
        long padded = Math.Max(outCh, SafeOutChannels);
        var w = functional.pad(last.weight, [0, 0, 0, 0, 0, 0, 0, padded - outCh]).to(h.dtype);
        var b = functional.pad(last.bias!, [0, padded - outCh]).to(h.dtype);
        long pad = last.padding![0];
        return functional.conv2d(h, w, b, padding: [pad, pad]).narrow(1, 0, outCh);
    }
}
