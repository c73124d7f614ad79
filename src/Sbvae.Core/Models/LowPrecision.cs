using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Sbvae.Models;

/// <summary>
/// Runs layers in a chosen dtype on fp32 master weights: each layer casts its weight and bias
/// to the compute dtype on the way in, so autograd carries gradients back to the fp32
/// parameters through the cast. Layers without weights (ReLU, Flatten) run as they are.
/// </summary>
internal static class LowPrecision
{
    public static Tensor Apply(Module<Tensor, Tensor> layer, Tensor x, ScalarType dtype)
    {
        if (x.dtype == dtype && dtype == ScalarType.Float32) return layer.forward(x);
        using var scope = NewDisposeScope();
        var result = layer switch
        {
            Conv2d c when c.padding is not null && c.padding_mode == PaddingModes.Zeros
                => F.conv2d(x, c.weight.to(dtype), c.bias?.to(dtype), c.stride, c.padding, c.dilation, c.groups),
            ConvTranspose2d c when c.padding is not null
                => F.conv_transpose2d(x, c.weight.to(dtype), c.bias?.to(dtype), c.stride, c.padding, c.output_padding, c.dilation, c.groups),
            Linear l => F.linear(x, l.weight.to(dtype), l.bias?.to(dtype)),
            Conv2d or ConvTranspose2d => throw new NotSupportedException($"{layer.GetName()} has no low-precision form"),
            _ => layer.forward(x),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="layers"/> (skipping the first <paramref name="skip"/>) in <paramref name="dtype"/>.</summary>
    public static Tensor Run(Sequential layers, Tensor x, ScalarType dtype, int skip = 0)
    {
        using var scope = NewDisposeScope();
        var h = x.to(dtype);
        foreach (var layer in layers.children().Skip(skip))
            h = Apply((Module<Tensor, Tensor>)layer, h, dtype);
        return h.MoveToOuterDisposeScope();
    }
}
