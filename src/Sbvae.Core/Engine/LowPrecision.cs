using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

using Sbvae.Kernels;

namespace Sbvae.Engine;

/// <summary>
/// Runs layers in a chosen dtype on fp32 master weights: each layer casts its weight and bias
/// to the compute dtype on the way in, so autograd carries gradients back to the fp32
/// parameters through the cast. Layers without weights (ReLU, Flatten) run as they are;
/// small layers stay fp32 (see <see cref="MinPlane"/>).
/// </summary>
internal static class LowPrecision
{
    /// <summary>
    /// Which layers run in the low precision: convolutions with at least 16 input and output
    /// channels whose input and output planes are at least 16×16; transposed convs count by
    /// their (smaller) input plane and run through <see cref="Kernels.TransposedConv"/>.
    /// The rest run in fp32: they cost little, and libtorch 2.10's CPU bf16 kernels misbehave
    /// there (wrong input gradients of the final 64→3 convs; occasional NaN weight gradients of
    /// the 3→64 input conv; with the 4×4-plane layers in bf16 too, the gradients of the deconv
    /// decoder's first layers are twice as far from fp32's, 3–4 % instead of 1.5–2 %). The
    /// 8×8 → 16×16 transposed conv stays fp32 too: in bf16 its gradients are accurate and 20-epoch
    /// runs end within 1.3 % of fp32 (four seeds), but the 150-epoch reference run ended at
    /// reconstruction 11.2 (mean of the last 10 epochs 11.25) against 9.0 with it in fp32.
    /// Each decoder's last layer has a hand-written kernel that reads the bf16 activation
    /// (EngineOptions.OutputKernel), and the fp32 64-channel stride-2 layers with their relus run in
    /// one (EngineOptions.Stride2Kernel).
    /// </summary>
    public const int MinChannels = 16, MinPlane = 16 * 16;

    static bool RunsLow(Module<Tensor, Tensor> layer, Tensor x) => x.dim() == 4 && RunsLow(layer, x.shape[2] * x.shape[3], x.device_type);

    /// <summary>Whether <paramref name="layer"/> runs in the low precision on an input plane of <paramref name="inputPlane"/> pixels.</summary>
    internal static bool RunsLow(Module<Tensor, Tensor> layer, long inputPlane, DeviceType device)
    {
        if (layer is not Convolution c || c.in_channels < MinChannels || c.out_channels < MinChannels) return false;
        long step = c.stride[0] * c.stride[1];
        // Transposed convs only where their backward can run as a conv2d (Kernels.TransposedConv):
        // libtorch's own bf16 transposed backward is slower here than fp32 channels-last.
        if (c.transposed) return inputPlane >= MinPlane && AsConv2dBackward(c, device); // the smaller (input) plane
        return inputPlane / step >= MinPlane; // the smaller (output) plane
    }

    static bool AsConv2dBackward(Convolution c, DeviceType device) =>
        c is TorchSharp.Modules.ConvTranspose2d { groups: 1, bias: not null, padding: not null } t && device == DeviceType.CPU
        && t.stride[0] == t.stride[1] && t.padding![0] == t.padding[1] && t.dilation.All(d => d == 1)
        && (t.output_padding is null || t.output_padding.All(p => p == 0));

    internal static Tensor Apply(Module<Tensor, Tensor> layer, Tensor x, ScalarType dtype)
    {
        bool hasWeights = layer is Convolution or TorchSharp.Modules.Linear;
        if (hasWeights) x = StepMarks.Layer(x, layer);
        if (dtype == ScalarType.Float32) return layer.forward(x);
        if (hasWeights && !RunsLow(layer, x))
            return x.dtype == ScalarType.BFloat16 ? ForwardFp32(layer, x) : layer.forward(x);
        if (!hasWeights) return layer.forward(x); // ReLU, Flatten: in whatever dtype arrives
        using var scope = NewDisposeScope();
        x = x.to(dtype); // the layer before may have run in fp32
        var result = layer switch
        {
            TorchSharp.Modules.Conv2d c when c.padding is not null && c.padding_mode == PaddingModes.Zeros && c.groups == 1
                => F.conv2d(x, c.weight.to(dtype), c.bias?.to(dtype), c.stride, c.padding, c.dilation),
            TorchSharp.Modules.ConvTranspose2d c when AsConv2dBackward(c, x.device_type)
                => Kernels.TransposedConv.Apply(x, c.weight!.to(dtype), c.bias!.to(dtype), c.stride[0], c.padding![0]),
            _ => throw new NotSupportedException($"{layer.GetName()} has no low-precision form"),
        };
        return result.MoveToOuterDisposeScope();
    }

    static Tensor ForwardFp32(Module<Tensor, Tensor> layer, Tensor x)
    {
        using var x32 = x.to(ScalarType.Float32);
        return layer.forward(x32);
    }

    /// <summary>Runs <paramref name="layers"/> as <paramref name="compute"/> says.</summary>
    public static Tensor Run(Sequential layers, Tensor x, EngineOptions compute) =>
        Run(layers.children().Cast<Module<Tensor, Tensor>>(), x, compute);

    /// <summary>Runs <paramref name="layers"/> in order as <paramref name="compute"/> says.</summary>
    public static Tensor Run(IEnumerable<Module<Tensor, Tensor>> layers, Tensor x, EngineOptions compute)
    {
        using var scope = NewDisposeScope();
        var h = compute.ChannelsLast ? Layout.ToChannelsLast(x) : x;
        var list = layers.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (FusesWithRelu(list, i, h, compute))
                h = Kernels.Stride2Conv.Apply(StepMarks.Layer(h, list[i]), (Convolution)list[i++]); // the relu too
            else
                h = Apply(list[i], h, compute.Dtype);
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>Whether layer <paramref name="i"/> and the relu after it run in <see cref="Kernels.Stride2Conv"/>: fp32 layers of the bf16 path.</summary>
    static bool FusesWithRelu(List<Module<Tensor, Tensor>> layers, int i, Tensor x, EngineOptions compute) =>
        compute.Stride2Kernel && compute.Dtype == ScalarType.BFloat16 && i + 1 < layers.Count && layers[i + 1] is TorchSharp.Modules.ReLU
        && Kernels.Stride2Conv.Handles(layers[i], x) && !RunsLow(layers[i], x);
}
