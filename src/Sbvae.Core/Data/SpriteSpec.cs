namespace Sbvae.Data;

/// <summary>
/// The factor grid of the procedural sprite generator. The defaults are the reference
/// "circles" dataset: 35 × 35 positions, one 16-pixel circle, three colours (3675 images).
/// </summary>
public sealed record SpriteSpec
{
    public static readonly IReadOnlyList<string> KnownShapes = ["circle", "square"];

    /// <summary>Positions per axis; x and y take linspace(0, 1, NumPos).</summary>
    public int NumPos { get; init; } = 35;
    public IReadOnlyList<string> Shapes { get; init; } = ["circle"];
    /// <summary>Bounding-box sizes in pixels (the box spans size + 1 pixels, Pillow-style).</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [16];
    public IReadOnlyList<string> Colors { get; init; } = ["red", "green", "blue"];
    /// <summary>Image side; a multiple of 16 because the encoder halves it four times.</summary>
    public int ImgSize { get; init; } = 64;

    public long Count => (long)NumPos * NumPos * Shapes.Count * Sizes.Count * Colors.Count;

    public void Validate()
    {
        if (NumPos < 1)
            throw new SbvaeException($"num_pos must be at least 1, got {NumPos}");
        if (ImgSize < 16 || ImgSize % 16 != 0)
            throw new SbvaeException($"image size must be a multiple of 16 and at least 16, got {ImgSize}");
        if (Shapes.Count == 0 || Sizes.Count == 0 || Colors.Count == 0)
            throw new SbvaeException("shapes, sizes and colours each need at least one value");
        foreach (string s in Shapes)
            if (!KnownShapes.Contains(s))
                throw new SbvaeException($"unknown shape '{s}' (use {string.Join(" or ", KnownShapes)})");
        foreach (int s in Sizes)
            if (s < 1 || s > ImgSize - 2)
                throw new SbvaeException($"size {s} is out of range 1..{ImgSize - 2} for {ImgSize}-pixel images");
        foreach (string c in Colors)
            CssColors.Parse(c);
        if (Shapes.Distinct().Count() != Shapes.Count || Sizes.Distinct().Count() != Sizes.Count
            || Colors.Distinct().Count() != Colors.Count)
            throw new SbvaeException("shapes, sizes and colours must not repeat (each value is one factor class)");
        long bytes = Count * ImgSize * ImgSize * 3;
        if (bytes > Array.MaxLength)
            throw new SbvaeException($"the spec makes {Count:N0} images ({bytes:N0} bytes), more than fits in memory (2 GB)");
    }
}
