namespace Sbvae.Data;

/// <summary>
/// The factor grid of the procedural dSprites look-alike. The defaults are dSprites' own:
/// 3 shapes × 6 scales × 40 orientations × 32 × 32 positions of 64 × 64 images (737,280 rows);
/// smaller counts make small grids with the same value ranges.
/// </summary>
public sealed record DSpritesLikeSpec
{
    /// <summary>dSprites' shapes; a shape's value is its 1-based position here, as in the file (square 1, ellipse 2, heart 3).</summary>
    public static IReadOnlyList<string> KnownShapes => ShapeCodes;
    static readonly string[] ShapeCodes = ["square", "ellipse", "heart"];

    public IReadOnlyList<string> Shapes { get; init; } = KnownShapes;
    /// <summary>Scales take linspace(0.5, 1, n).</summary>
    public int NumScales { get; init; } = 6;
    /// <summary>Orientations take linspace(0, 2π, n), both ends included as in dSprites.</summary>
    public int NumOrientations { get; init; } = 40;
    /// <summary>posX and posY each take linspace(0, 1, n).</summary>
    public int NumPositions { get; init; } = 32;
    public int ImgSize { get; init; } = 64;

    public void Validate()
    {
        if (Shapes.Count == 0)
            throw new SbvaeException("the dSprites-like grid needs at least one shape");
        foreach (string s in Shapes)
            if (!KnownShapes.Contains(s))
                throw new SbvaeException($"unknown dSprites shape '{s}' (use {string.Join(", ", KnownShapes)})");
        if (Shapes.Distinct().Count() != Shapes.Count)
            throw new SbvaeException("dSprites-like shapes must not repeat (each is one factor class)");
        if (NumScales < 1 || NumOrientations < 1 || NumPositions < 1)
            throw new SbvaeException($"scales, orientations and positions need at least one class each, got {NumScales}, {NumOrientations}, {NumPositions}");
        if (ImgSize < 16)
            throw new SbvaeException($"dSprites-like images must be at least 16 pixels wide, got {ImgSize}");
        if ((long)Shapes.Count * NumScales * NumOrientations * NumPositions * NumPositions > Array.MaxLength)
            throw new SbvaeException("the dSprites-like grid has more rows than this toolkit indexes");
    }

    /// <summary>The grid in dSprites' column order (color has the single value 1).</summary>
    public DSpritesFactors Factors()
    {
        Validate();
        return new DSpritesFactors(DSpritesFactors.DSpritesNames,
        [
            [1.0],
            Shapes.Select(s => (double)(Array.IndexOf(ShapeCodes, s) + 1)).ToArray(),
            Linspace(0.5, 1, NumScales),
            Linspace(0, 2 * Math.PI, NumOrientations),
            Linspace(0, 1, NumPositions),
            Linspace(0, 1, NumPositions),
        ]);
    }

    /// <summary>numpy.linspace(lo, hi, n) with both ends included; [lo] for n = 1.</summary>
    static double[] Linspace(double lo, double hi, int n)
    {
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
        if (n > 1) r[n - 1] = hi;
        return r;
    }
}
