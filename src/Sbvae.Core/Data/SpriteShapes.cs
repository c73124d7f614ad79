namespace Sbvae.Data;

/// <summary>
/// Point-in-shape tests for the shapes drawn by sampling pixel centres (triangle, heart, and any
/// rotated square). Coordinates are normalised to the shape's box: (−1, −1) top-left,
/// (1, 1) bottom-right, y pointing down like image rows.
/// </summary>
internal static class SpriteShapes
{
    // Extent of the heart curve (x² + y² − 1)³ = x²y³: |x| ≤ 1.139028…, −1 ≤ y ≤ √5 − 1.
    // Rounded up so that the mapped heart stays inside its box.
    const double HeartHalfWidth = 1.13903, HeartTop = 1.23607, HeartBottom = -1.0;

    public static bool Inside(string shape, double u, double v) => shape switch
    {
        "square" => Math.Abs(u) <= 1 && Math.Abs(v) <= 1,
        // Apex at the top centre, base along the bottom edge of the box.
        "triangle" => v >= -1 && v <= 1 && Math.Abs(u) <= (v + 1) / 2,
        "heart" => InsideHeart(u, v),
        _ => throw new SbvaeException($"unknown shape '{shape}' (use {SpriteSpec.ShapeList})"),
    };

    static bool InsideHeart(double u, double v)
    {
        double x = u * HeartHalfWidth;
        double y = HeartTop - (v + 1) / 2 * (HeartTop - HeartBottom);
        double r = x * x + y * y - 1;
        return r * r * r - x * x * y * y * y <= 0;
    }
}
