using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sbvae.Data;

/// <summary>
/// The conversions every store's <see cref="IImageStore.Gather"/> shares. Each byte b becomes the
/// fp32 quotient b / 255, bit for bit what libtorch's cast and division give, whichever store it comes from.
/// </summary>
public static class ImageGather
{
    /// <summary>Throws unless every index is a row of a store of <paramref name="count"/> images and the batch fits.</summary>
    public static void Check(ReadOnlySpan<long> indices, int count, long floatsPerImage, int batchLength)
    {
        foreach (long i in indices)
            if ((ulong)i >= (ulong)count) throw new ArgumentOutOfRangeException(nameof(indices), $"image {i} of {count}");
        if (batchLength != indices.Length * floatsPerImage)
            throw new ArgumentException($"a batch of {indices.Length} images needs {indices.Length * floatsPerImage} floats, the buffer has {batchLength}");
    }

    /// <summary>
    /// One (H, W, C) image into (3, H, W) floats: planes taken out of the interleaved bytes (or the one
    /// grey plane repeated), then converted.
    /// </summary>
    public static void HwcToChw(ReadOnlySpan<byte> hwc, int pixels, int channels, Span<byte> scratch, Span<float> target)
    {
        if (channels == 1)
        {
            ToUnit(hwc[..pixels], target[..pixels]);
            target[..pixels].CopyTo(target.Slice(pixels, pixels));
            target[..pixels].CopyTo(target.Slice(2 * pixels, pixels));
            return;
        }
        for (int ch = 0; ch < 3; ch++)
        {
            var plane = scratch.Slice(ch * pixels, pixels);
            for (int p = 0; p < pixels; p++) plane[p] = hwc[p * 3 + ch];
        }
        ToUnit(scratch[..(3 * pixels)], target[..(3 * pixels)]);
    }

    /// <summary>Each byte over 255 as fp32, 16 at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void ToUnit(ReadOnlySpan<byte> source, Span<float> target)
    {
        if (target.Length < source.Length) throw new ArgumentException("the target is shorter than the source");
        fixed (byte* s = source)
        fixed (float* t = target)
            ToUnit(s, t, source.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ToUnit(byte* source, float* target, long count)
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
}
