namespace Sbvae.Data;

/// <summary>
/// dSprites-style binary images held bit-packed (1 bit per pixel, most significant bit first as
/// numpy.packbits does; 512 bytes per 64×64 image, ≈377 MB for the full 737,280-image file), with
/// their factor grid. The full set is larger than one byte[] of unpacked pixels could hold.
/// </summary>
public sealed class DSpritesStore : IDSpritesSource, IImageStore
{
    readonly byte[] bits;

    public DSpritesFactors Factors { get; }
    public int Side { get; }
    public int Count => Factors.Count;
    /// <summary>Packed bytes per image: ⌈Side² / 8⌉.</summary>
    public int BytesPerImage { get; }

    /// <summary>An all-black store for every row of <paramref name="factors"/>, to be filled with <see cref="SetImage"/>.</summary>
    public DSpritesStore(DSpritesFactors factors, int side)
    {
        if (side < 1)
            throw new ArgumentOutOfRangeException(nameof(side), $"image side must be positive, got {side}");
        BytesPerImage = (int)(((long)side * side + 7) / 8);
        long total = (long)factors.Count * BytesPerImage;
        if (total > Array.MaxLength)
            throw new SbvaeException($"{factors.Count:N0} packed {side}×{side} images need {total:N0} bytes, more than one array holds (2 GB)");
        Factors = factors;
        Side = side;
        bits = new byte[total];
    }

    /// <summary>Unpacks row <paramref name="row"/> into Side × Side bytes of 0 or 1.</summary>
    public void Image(int row, Span<byte> dest)
    {
        int pixels = CheckedPixels(row, dest.Length);
        var packed = Packed(row);
        for (int p = 0; p < pixels; p++)
            dest[p] = (byte)((packed[p >> 3] >> (7 - (p & 7))) & 1);
    }

    /// <summary>Stores a Side × Side mask; any non-zero byte is an "on" pixel.</summary>
    public void SetImage(int row, ReadOnlySpan<byte> mask)
    {
        int pixels = CheckedPixels(row, mask.Length);
        var packed = bits.AsSpan((int)((long)row * BytesPerImage), BytesPerImage);
        packed.Clear();
        for (int p = 0; p < pixels; p++)
            if (mask[p] != 0)
                packed[p >> 3] |= (byte)(0x80 >> (p & 7));
    }

    /// <summary>Row <paramref name="row"/>'s packed bytes.</summary>
    public ReadOnlySpan<byte> Packed(int row)
    {
        if ((uint)row >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside 0..{Count - 1}");
        return bits.AsSpan((int)((long)row * BytesPerImage), BytesPerImage);
    }

    /// <summary>Number of "on" pixels in row <paramref name="row"/>.</summary>
    public int OnPixels(int row)
    {
        int n = 0;
        foreach (byte b in Packed(row)) n += System.Numerics.BitOperations.PopCount(b);
        return n;
    }

    int IImageStore.Height => Side;
    int IImageStore.Width => Side;
    int IImageStore.Channels => 1;
    IReadOnlyList<string> IImageStore.FactorNames => Factors.Names;
    IReadOnlyList<int> IImageStore.FactorSizes => Factors.Sizes;

    void IImageStore.ClassesOf(int row, Span<int> classes)
    {
        Span<long> c = stackalloc long[Factors.NumFactors];
        Factors.Classes(row, c);
        for (int j = 0; j < c.Length; j++) classes[j] = (int)c[j];
    }

    /// <summary>Unpacks each image straight to 0f / 1f (what 0 and 255 over 255 give) in all three planes.</summary>
    public void Gather(ReadOnlySpan<long> indices, Span<float> batch)
    {
        int pixels = Side * Side;
        ImageGather.Check(indices, Count, 3L * pixels, batch.Length);
        for (int n = 0; n < indices.Length; n++)
        {
            var packed = Packed((int)indices[n]);
            var plane = batch.Slice(n * 3 * pixels, pixels);
            for (int p = 0; p < pixels; p++)
                plane[p] = (packed[p >> 3] >> (7 - (p & 7))) & 1;
            plane.CopyTo(batch.Slice(n * 3 * pixels + pixels, pixels));
            plane.CopyTo(batch.Slice(n * 3 * pixels + 2 * pixels, pixels));
        }
    }

    int CheckedPixels(int row, int length)
    {
        if ((uint)row >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside 0..{Count - 1}");
        int pixels = Side * Side;
        if (length != pixels)
            throw new ArgumentException($"an image needs {pixels} bytes, the buffer has {length}");
        return pixels;
    }
}
