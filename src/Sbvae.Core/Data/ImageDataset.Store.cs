namespace Sbvae.Data;

// The in-memory set as an image store.
public sealed partial class ImageDataset
{
    IReadOnlyList<string> IImageStore.FactorNames => FactorNames;
    IReadOnlyList<int> IImageStore.FactorSizes => FactorSizes;

    void IImageStore.ClassesOf(int row, Span<int> classes)
    {
        var c = Classes(row);
        for (int j = 0; j < c.Length; j++) classes[j] = (int)c[j];
    }

    public void Gather(ReadOnlySpan<long> indices, Span<float> batch)
    {
        int pixels = Height * Width;
        ImageGather.Check(indices, Count, 3L * pixels, batch.Length);
        var scratch = Channels == 3 ? new byte[3 * pixels] : [];
        for (int n = 0; n < indices.Length; n++)
            ImageGather.HwcToChw(Pixels.AsSpan((int)(indices[n] * ImageBytes), ImageBytes), pixels, Channels, scratch,
                batch.Slice(n * 3 * pixels, 3 * pixels));
    }
}
