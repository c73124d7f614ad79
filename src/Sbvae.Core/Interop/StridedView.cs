namespace Sbvae.Interop;

/// <summary>
/// A tensor as PyTorch stores it: a window (offset, sizes, strides) onto a flat storage. Strides may
/// be zero (expand views such as meshgrid's output), so elements can repeat; <see cref="Gather"/>
/// copies them into a contiguous row-major array. Bounds are checked before anything is allocated.
/// </summary>
public static class StridedView
{
    /// <summary>Largest tensor the importer will materialise (1 GiB of float32), far beyond any model here.</summary>
    public const long MaxElements = 1L << 28;

    /// <summary>Checks that every element of the view lies inside a storage of <paramref name="storageNumel"/> elements; returns the element count.</summary>
    public static long Check(long storageNumel, long offset, long[] shape, long[] stride, Func<string, Exception> bad)
    {
        if (shape.Length != stride.Length) throw bad("size and stride differ in length");
        if (offset < 0) throw bad("negative storage offset");
        long numel = 1, last = offset;
        try
        {
            for (int d = 0; d < shape.Length; d++)
            {
                if (shape[d] < 0) throw bad("negative size");
                if (stride[d] < 0) throw bad("negative stride");
                numel = checked(numel * shape[d]);
                if (numel > MaxElements) throw bad($"more than {MaxElements} elements");
            }
            if (numel == 0) return 0;
            for (int d = 0; d < shape.Length; d++) last = checked(last + (shape[d] - 1) * stride[d]);
        }
        catch (OverflowException)
        {
            throw bad("sizes and strides overflow");
        }
        if (last >= storageNumel)
            throw bad($"its view needs storage element {last} but the storage holds {storageNumel}");
        return numel;
    }

    /// <summary>The view's elements in row-major order; call <see cref="Check"/> first.</summary>
    public static float[] Gather(float[] storage, long offset, long[] shape, long[] stride)
    {
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        var result = new float[numel];
        if (numel == 0) return result;
        if (IsContiguous(shape, stride))
        {
            Array.Copy(storage, offset, result, 0, numel);
            return result;
        }
        int dims = shape.Length;
        var index = new long[dims];
        long src = offset;
        for (long i = 0; i < numel; i++)
        {
            result[i] = storage[src];
            // odometer: advance the last dimension, carrying into earlier ones
            for (int d = dims - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) { src += stride[d]; break; }
                src -= (shape[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
        return result;
    }

    public static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public static long[] ContiguousStrides(long[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { stride[d] = s; s *= shape[d]; }
        return stride;
    }
}
