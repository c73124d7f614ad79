using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Models;

/// <summary>
/// The spatial broadcast decoder (Watters et al. 2019, Fig. 1): tile z over a grid, append
/// x and y coordinate channels (linspace(−1, 1)), and map with unstrided 3×3 convs
/// (k+2→64→64→3). Padded variant (the walk-through): grid = image, padding 1. Unpadded
/// variant (the paper, MONet B.1): no padding, grid larger by (3−1)·3 = 6 so the output is
/// image-sized. Names match the reference state_dict: decoder.decoder_convs.{0,2,4},
/// buffers decoder.x_grid and decoder.y_grid (1×1×G×G).
/// </summary>
public sealed class SpatialBroadcastDecoder : Decoder
{
    private readonly Sequential decoder_convs;
    private readonly Tensor x_grid;
    private readonly Tensor y_grid;

    public int GridSize { get; }

    public SpatialBroadcastDecoder(int latent, int imageSize, bool unpadded = false, int channels = 3)
        : base(nameof(SpatialBroadcastDecoder))
    {
        int pad = unpadded ? 0 : 1;
        GridSize = unpadded ? imageSize + 6 : imageSize;
        decoder_convs = Sequential(
            Conv2d(latent + 2, 64, 3, stride: 1, padding: pad), ReLU(),
            Conv2d(64, 64, 3, stride: 1, padding: pad), ReLU(),
            Conv2d(64, channels, 3, stride: 1, padding: pad));
        // meshgrid "ij": x_grid varies down the rows, y_grid across the columns (SPEC §8).
        using (var axis = linspace(-1, 1, GridSize))
        {
            x_grid = axis.view(1, 1, GridSize, 1).expand(1, 1, GridSize, GridSize).contiguous();
            y_grid = axis.view(1, 1, 1, GridSize).expand(1, 1, GridSize, GridSize).contiguous();
        }
        RegisterComponents();
    }

    /// <summary>The convs and their relus: conv, relu, conv, relu, conv.</summary>
    internal Sequential Convs => decoder_convs;
    internal Tensor XGrid => x_grid;
    internal Tensor YGrid => y_grid;

    /// <summary>The (B, k+2, G, G) broadcast input: z tiled, then x_grid, then y_grid.</summary>
    public Tensor Broadcast(Tensor z)
    {
        long b = z.shape[0], k = z.shape[1];
        using var scope = NewDisposeScope();
        var tiled = z.view(b, k, 1, 1).expand(b, k, GridSize, GridSize);
        var xs = x_grid.to(z.dtype).expand(b, 1, GridSize, GridSize);
        var ys = y_grid.to(z.dtype).expand(b, 1, GridSize, GridSize);
        return cat([tiled, xs, ys], 1).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor z)
    {
        using var input = Broadcast(z);
        return decoder_convs.forward(input);
    }
}
