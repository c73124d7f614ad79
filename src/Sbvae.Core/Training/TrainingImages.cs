using Sbvae.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>
/// The training set as batches: each batch is gathered from the store and converted to fp32 in [0, 1]
/// in one pass (the step's one serial part), so the pixels never need to sit in one array or tensor.
/// Single-channel (dSprites-style) images are repeated to RGB.
/// </summary>
public sealed class TrainingImages : IDisposable
{
    private readonly IImageStore store;
    private readonly Device device;

    public int Count => store.Count;
    public int Size { get; }
    public IImageStore Store => store;

    public TrainingImages(IImageStore store, Device device)
    {
        if (store.Height != store.Width) throw new SbvaeException($"images must be square, got {store.Height}×{store.Width}");
        if (store.Channels is not (1 or 3)) throw new SbvaeException($"images must have 1 or 3 channels, got {store.Channels}");
        this.store = store;
        this.device = device;
        Size = store.Height;
    }

    /// <summary>Raw (N, H, W, C) bytes without factors, as a store.</summary>
    public TrainingImages(byte[] hwc, int count, int height, int width, int channels, Device device)
        : this(Pixels(hwc, count, height, width, channels), device) { }

    public static TrainingImages From(IImageStore data, Device device) => new(data, device);

    /// <summary>Images at <paramref name="indices"/> as float32 in [0, 1], shape (B, 3, H, W), on the device.</summary>
    public unsafe Tensor Batch(long[] indices)
    {
        long image = 3L * Size * Size;
        var batch = empty([indices.Length, 3, Size, Size], ScalarType.Float32);
        try
        {
            store.Gather(indices, new Span<float>(Kernels.TensorMemory.Pointer<float>(batch), checked((int)(indices.Length * image))));
        }
        catch
        {
            batch.Dispose();
            throw;
        }
        if (device.type == DeviceType.CPU) return batch;
        using (batch) return batch.to(device);
    }

    public Tensor Range(int start, int count) => Batch(Enumerable.Range(start, count).Select(i => (long)i).ToArray());

    /// <summary>Nothing to free: the store belongs to the caller.</summary>
    public void Dispose() { }

    static ImageDataset Pixels(byte[] hwc, int count, int height, int width, int channels)
    {
        if (channels is not (1 or 3)) throw new SbvaeException($"images must have 1 or 3 channels, got {channels}");
        return new ImageDataset(count, height, width, channels, hwc, [], [], []);
    }
}
