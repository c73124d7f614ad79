namespace Sbvae.Data;

/// <summary>
/// Binary dSprites-style images indexed by the rows of a factor grid: the public file
/// (<see cref="DSpritesStore"/>) or the procedural renderer (<see cref="DSpritesLike"/>).
/// </summary>
public interface IDSpritesSource
{
    DSpritesFactors Factors { get; }
    /// <summary>Image side in pixels (images are square).</summary>
    int Side { get; }
    int Count => Factors.Count;
    /// <summary>Writes row <paramref name="row"/>'s mask as Side × Side bytes, 0 or 1 (the file's own values).</summary>
    void Image(int row, Span<byte> dest);
}
