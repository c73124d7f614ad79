using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sbvae.Engine;

/// <summary>
/// The spatial broadcast decoder's first conv, computed without the tiled (B, k+2, G, G) input.
/// Its input is z tiled (constant over the plane) plus two coordinate planes, so by linearity
/// conv(input) = conv(tiled z) + conv(coordinates) + bias, and:
/// <list type="bullet">
/// <item>conv(tiled z) is z times the sum of each kernel's taps that fall inside the grid. That
/// sum is the same everywhere except on the border rows and columns (zero padding cuts taps
/// off), so it takes one value per (row class, column class): a (B, O, 3, 3) matrix product,
/// then spread to the plane (1×1 for the unpadded variant, which has no border).</item>
/// <item>conv(coordinates) + bias depends only on the weights: one (O, 18)·(18, G'²) product
/// with the im2col of the fixed coordinate planes.</item>
/// </list>
/// Exactly the same function as the convolution (up to float summation order).
/// </summary>
internal static class BroadcastConv
{
    /// <summary>Pre-activation output (B, O, G', G'), in z's dtype.</summary>
    public static Tensor Forward(Tensor z, Conv2d conv, Tensor xGrid, Tensor yGrid, Tensor? columns = null)
    {
        using var scope = NewDisposeScope();
        var (zPart, coordPart) = Parts(z, conv, xGrid, yGrid, columns);
        long b = z.shape[0], outChannels = zPart.shape[3], classes = zPart.shape[1], side = coordPart.shape[0];
        var perClass = zPart.permute(0, 3, 1, 2);
        var plane = classes == 1 ? perClass.expand(b, outChannels, side, side) : Spread(perClass, side);
        using var one = 1.ToScalar(); // held, not implicit: see LossTerms.Compute
        return plane.add(coordPart.permute(2, 0, 1).unsqueeze(0), one).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The two parts of the pre-activation, channels innermost: the z part per (row class,
    /// column class), (B, c, c, O) with c = 3 (padded) or 1 (unpadded), and the coordinate
    /// part with the bias, (G', G', O). Output (b, i, j) = zPart[b, class(i), class(j)] + coordPart[i, j].
    /// <paramref name="columns"/>: <see cref="CoordinateColumns"/> for z's dtype, if the caller keeps it.
    /// </summary>
    public static (Tensor ZPart, Tensor CoordPart) Parts(Tensor z, Conv2d conv, Tensor xGrid, Tensor yGrid, Tensor? columns = null)
    {
        long b = z.shape[0], k = z.shape[1];
        long pad = conv.padding![0], kernel = conv.kernel_size[0];
        if (kernel != 3 || conv.kernel_size[1] != 3 || pad is not (0 or 1) || conv.padding[1] != pad || conv.stride.Any(s => s != 1))
            throw new NotSupportedException("the factored broadcast conv handles 3×3, stride 1, padding 0 or 1");
        using var scope = NewDisposeScope();
        var weight = conv.weight;
        long outChannels = weight.shape[0], grid = xGrid.shape[2], side = grid + 2 * pad - 2;

        // Row (and column) classes: which of the 3 taps land inside the grid.
        var taps = pad == 0
            ? ones(1, 3, dtype: weight.dtype, device: z.device)
            : tensor(new float[] { 0, 1, 1, 1, 1, 1, 1, 1, 0 }, [3, 3], device: z.device).to(weight.dtype);
        long classes = taps.shape[0];
        var perClass = einsum("ad,ocde,be->cabo", taps, weight.narrow(1, 0, k), taps); // (k, c, c, O)
        var zPart = z.mm(perClass.reshape(k, -1)).view(b, classes, classes, outChannels);

        columns ??= CoordinateColumns(xGrid, yGrid, pad, z.dtype);
        var coordPart = columns.mm(weight.narrow(1, k, 2).reshape(outChannels, -1).t()); // (G'², O)
        using var one = 1.ToScalar(); // held, not implicit: see LossTerms.Compute
        if (conv.bias is not null) coordPart = coordPart.add(conv.bias, one);
        return (zPart.MoveToOuterDisposeScope(), coordPart.view(side, side, outChannels).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The im2col of the two coordinate planes, (G'², 2·9): it depends on no weight, only on the
    /// grid and padding, so a decoder builds it once rather than every step.
    /// </summary>
    public static Tensor CoordinateColumns(Tensor xGrid, Tensor yGrid, long pad, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var coords = cat([xGrid, yGrid], 1).to(dtype);
        return F.unfold(coords, 3, padding: pad).squeeze(0).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>(B, O, 3, 3) per-class values to the (B, O, S, S) plane: first, S−2 copies of the middle, last, along both axes.</summary>
    static Tensor Spread(Tensor perClass, long side)
    {
        var rows = cat([perClass.narrow(2, 0, 1), Middle(perClass, 2, side), perClass.narrow(2, 2, 1)], 2);
        return cat([rows.narrow(3, 0, 1), Middle(rows, 3, side), rows.narrow(3, 2, 1)], 3);
    }

    static Tensor Middle(Tensor t, int dim, long side)
    {
        var shape = t.shape.ToArray();
        shape[dim] = side - 2;
        return t.narrow(dim, 1, 1).expand(shape);
    }
}
