namespace Sbvae.Data;

/// <summary>
/// The factor grid of the procedural sprite generator. The defaults are the reference
/// "circles" dataset: 35 × 35 positions, one 16-pixel circle, three colours (3675 images),
/// unrotated, every combination once.
/// </summary>
public sealed record SpriteSpec
{
    public static readonly IReadOnlyList<string> KnownShapes = ["circle", "square", "triangle", "heart"];
    internal static string ShapeList => string.Join(", ", KnownShapes.SkipLast(1)) + " or " + KnownShapes[^1];

    /// <summary>Positions per axis; x and y take linspace(0, 1, NumPos).</summary>
    public int NumPos { get; init; } = 35;
    public IReadOnlyList<string> Shapes { get; init; } = ["circle"];
    /// <summary>Bounding-box sizes in pixels (the box spans size + 1 pixels, Pillow-style).</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [16];
    public IReadOnlyList<string> Colors { get; init; } = ["red", "green", "blue"];
    /// <summary>Image side; a multiple of 16 because the encoder halves it four times.</summary>
    public int ImgSize { get; init; } = 64;
    /// <summary>Angles in degrees (counter-clockwise); more than one makes `rotation` a factor.</summary>
    public IReadOnlyList<double> Rotations { get; init; } = [0.0];
    /// <summary>0 renders the full grid; N &gt; 0 draws N rows, each factor's class uniformly and independently.</summary>
    public int Samples { get; init; }
    public int SampleSeed { get; init; }

    public bool HasRotationFactor => Rotations.Count > 1;
    public long GridCount => (long)NumPos * NumPos * Shapes.Count * Sizes.Count * Colors.Count * Rotations.Count;
    public long Count => Samples > 0 ? Samples : GridCount;

    public void Validate()
    {
        if (NumPos < 1)
            throw new SbvaeException($"num_pos must be at least 1, got {NumPos}");
        if (ImgSize < 16 || ImgSize % 16 != 0)
            throw new SbvaeException($"image size must be a multiple of 16 and at least 16, got {ImgSize}");
        if (Shapes.Count == 0 || Sizes.Count == 0 || Colors.Count == 0 || Rotations.Count == 0)
            throw new SbvaeException("shapes, sizes, colours and rotations each need at least one value");
        if (Samples < 0)
            throw new SbvaeException($"samples must be 0 (full grid) or more, got {Samples}");
        foreach (string s in Shapes)
            if (!KnownShapes.Contains(s))
                throw new SbvaeException($"unknown shape '{s}' (use {ShapeList})");
        foreach (int s in Sizes)
            if (s < 1 || s > ImgSize - 2)
                throw new SbvaeException($"size {s} is out of range 1..{ImgSize - 2} for {ImgSize}-pixel images");
        foreach (string c in Colors)
            CssColors.Parse(c);
        foreach (double r in Rotations)
            if (!double.IsFinite(r) || r <= -360 || r >= 360)
                throw new SbvaeException($"rotation {r} is not an angle in degrees strictly between -360 and 360");
        // 0 and 360 (or -90 and 270) draw the same image, so they would be two classes of one value.
        if (Rotations.Select(r => (r % 360 + 360) % 360).Distinct().Count() != Rotations.Count)
            throw new SbvaeException("rotations must not repeat, counting angles 360° apart as the same");
        if (Shapes.Distinct().Count() != Shapes.Count || Sizes.Distinct().Count() != Sizes.Count
            || Colors.Distinct().Count() != Colors.Count)
            throw new SbvaeException("shapes, sizes and colours must not repeat (each value is one factor class)");
        long bytes = Count * ImgSize * ImgSize * 3;
        if (bytes > Array.MaxLength)
            throw new SbvaeException($"the spec makes {Count:N0} images ({bytes:N0} bytes), more than fits in memory (2 GB)");
    }
}
