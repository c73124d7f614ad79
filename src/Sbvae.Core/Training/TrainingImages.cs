using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Sbvae.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>
/// The whole training set as one uint8 tensor (N, 3, H, W) on the training device; a batch
/// is gathered and converted from it, so no per-step copying from managed memory.
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

    public static TrainingImages From(ImageDataset data, Device device) =>
        new(data.Pixels, data.Count, data.Height, data.Width, data.Channels, device);

    /// <summary>Images at <paramref name="indices"/> as float32 in [0, 1], shape (B, 3, H, W).</summary>
    public Tensor Batch(long[] indices)
    {
        if (pixels.device_type == DeviceType.CPU) return GatherOnCpu(indices);
        using var idx = tensor(indices, device: pixels.device);
        using var bytes = pixels.index_select(0, idx);
        using var scale = 255f.ToScalar(); // held, not implicit: see LossTerms.Compute
        return bytes.to(ScalarType.Float32).div_(scale);
    }

    /// <summary>
    /// The same values as index_select, the cast and the division by 255 (each byte b becomes the fp32
    /// quotient b / 255), in one pass into one new tensor instead of three ops and two intermediates:
    /// a step waits for its batch on one core while the others idle.
    /// </summary>
    private unsafe Tensor GatherOnCpu(long[] indices)
    {
        foreach (long i in indices)
            if ((ulong)i >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"image {i} of {Count}");
        long image = 3L * Size * Size;
        var batch = empty([indices.Length, 3, Size, Size], ScalarType.Float32);
        byte* source = Kernels.TensorMemory.Pointer<byte>(pixels);
        float* target = Kernels.TensorMemory.Pointer<float>(batch);
        for (int n = 0; n < indices.Length; n++) ToUnit(source + indices[n] * image, target + n * image, image);
        return batch;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ToUnit(byte* source, float* target, long count)
    {
        var scale = Vector256.Create(255f);
        long i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var (low, high) = Vector128.Widen(Vector128.Load(source + i)); // values below 256: exact as int32 and fp32
            (Vector256.ConvertToSingle(Vector256.Create(Vector128.WidenLower(low), Vector128.WidenUpper(low)).AsInt32()) / scale).Store(target + i);
            (Vector256.ConvertToSingle(Vector256.Create(Vector128.WidenLower(high), Vector128.WidenUpper(high)).AsInt32()) / scale).Store(target + i + 8);
        }
        for (; i < count; i++) target[i] = source[i] / 255f;
    }

    public Tensor Range(int start, int count) => Batch(Enumerable.Range(start, count).Select(i => (long)i).ToArray());

    public void Dispose() => pixels.Dispose();
}
