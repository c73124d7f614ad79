using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>
/// The whole training set as one uint8 tensor (N, 3, H, W) on the training device; a batch
/// is an index_select plus a cast, so no per-step copying from managed memory.
/// Single-channel (dSprites-style) images are repeated to RGB.
/// </summary>
public sealed class TrainingImages : IDisposable
{
    private readonly Tensor pixels;

    public int Count { get; }
    public int Size { get; }

    public TrainingImages(byte[] hwc, int count, int height, int width, int channels, Device device)
    {
        if (height != width) throw new SbvaeException($"images must be square, got {height}×{width}");
        if (channels is not (1 or 3)) throw new SbvaeException($"images must have 1 or 3 channels, got {channels}");
        Count = count;
        Size = height;
        using var nhwc = tensor(hwc, [count, height, width, channels], ScalarType.Byte);
        using var nchw = nhwc.permute(0, 3, 1, 2);
        using var rgb = channels == 1 ? nchw.expand(count, 3, height, width) : nchw.alias();
        pixels = rgb.contiguous().to(device);
    }

    /// <summary>Images at <paramref name="indices"/> as float32 in [0, 1], shape (B, 3, H, W).</summary>
    public Tensor Batch(long[] indices)
    {
        using var idx = tensor(indices, device: pixels.device);
        using var bytes = pixels.index_select(0, idx);
        using var scale = 255f.ToScalar(); // held, not implicit: see LossTerms.Compute
        return bytes.to(ScalarType.Float32).div_(scale);
    }

    public Tensor Range(int start, int count) => Batch(Enumerable.Range(start, count).Select(i => (long)i).ToArray());

    public void Dispose() => pixels.Dispose();
}
