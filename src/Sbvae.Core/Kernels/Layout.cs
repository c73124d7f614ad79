using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>Channels-last (NHWC) storage of (B, C, H, W) tensors: the layout libtorch's bf16 convs and the kernels read.</summary>
public static class Layout
{
    /// <summary>
    /// The same (B, C, H, W) tensor stored channels-last (NHWC strides); unchanged if not 4-d.
    /// Convs and ReLUs keep the layout, so converting a stack's input is enough.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x) =>
        x.dim() == 4 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x.alias();

    /// <summary>True when a 4-d tensor is stored channels-last (channels innermost).</summary>
    public static bool IsChannelsLast(Tensor x) =>
        x.dim() == 4 && x.stride(1) == 1 && x.stride(3) == x.shape[1] && x.stride(2) == x.shape[1] * x.shape[3];
}
