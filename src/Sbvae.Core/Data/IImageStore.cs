namespace Sbvae.Data;

/// <summary>
/// Images that training and inference draw batches from without needing every pixel in one array:
/// an in-memory set (<see cref="ImageDataset"/>), the 1-bit dSprites store, or a uint8 file read in
/// chunks. Factor classes per row are 0-based (a store without factors has none).
/// </summary>
public interface IImageStore
{
    int Count { get; }
    int Height { get; }
    int Width { get; }
    /// <summary>1 (greyscale, repeated to RGB in a batch) or 3.</summary>
    int Channels { get; }
    IReadOnlyList<string> FactorNames { get; }
    /// <summary>Classes per factor (largest class + 1).</summary>
    IReadOnlyList<int> FactorSizes { get; }

    /// <summary>Writes row <paramref name="row"/>'s class per factor.</summary>
    void ClassesOf(int row, Span<int> classes);

    /// <summary>
    /// Writes the images at <paramref name="indices"/> as a (B, 3, H, W) fp32 batch in [0, 1] (each byte b
    /// as the fp32 quotient b / 255), in one pass; indices outside the store throw ArgumentOutOfRangeException.
    /// </summary>
    void Gather(ReadOnlySpan<long> indices, Span<float> batch);
}
