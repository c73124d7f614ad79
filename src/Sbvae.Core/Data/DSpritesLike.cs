namespace Sbvae.Data;

/// <summary>
/// Procedural dSprites look-alike: renders any row of a <see cref="DSpritesLikeSpec"/> grid on demand
/// (so a random subset costs only its own images), or fills a whole <see cref="DSpritesStore"/>.
///
/// Geometry, chosen to mimic dSprites: a scale-1 object spans a base of 0.3125 · side (20 px at 64);
/// its centre sits at (0.2 + 0.6 · pos) · side on each axis (12.8..51.2 px at 64; posX → column,
/// posY → row, downwards); it is rotated by the orientation about its centre. Square: base × base.
/// Ellipse: base wide, base / 2 tall. Heart: the curve (x² + y² − 1)³ = x² y³ scaled to base wide,
/// lobes up at orientation 0. A pixel is on when its centre lies inside the shape (no anti-aliasing).
/// </summary>
public sealed class DSpritesLike : IDSpritesSource
{
    /// <summary>Object size at scale 1, as a fraction of the image side.</summary>
    public const double BaseFraction = 0.3125;
    /// <summary>Centres range over [Margin, 1 − Margin] of the side.</summary>
    public const double Margin = 0.2;

    // The heart curve spans x ∈ ±1.135, y ∈ [−1, 1.235]: map its half-width to 1 and centre it vertically.
    const double HeartScale = 1.135, HeartCentreY = 0.1175;

    public DSpritesLikeSpec Spec { get; }
    public DSpritesFactors Factors { get; }
    public int Side => Spec.ImgSize;
    public int Count => Factors.Count;

    public DSpritesLike(DSpritesLikeSpec spec)
    {
        Factors = spec.Factors();
        Spec = spec;
    }

    /// <summary>Renders row <paramref name="row"/> as Side × Side bytes of 0 or 1.</summary>
    public void Image(int row, Span<byte> dest)
    {
        Span<long> c = stackalloc long[Factors.NumFactors];
        Factors.Classes(row, c);
        Render(dest, Side, Spec.Shapes[(int)c[1]], Factors.Value(2, (int)c[2]), Factors.Value(3, (int)c[3]),
            Factors.Value(4, (int)c[4]), Factors.Value(5, (int)c[5]));
    }

    /// <summary>Every row of the grid rendered into a bit-packed store.</summary>
    public DSpritesStore Fill()
    {
        var store = new DSpritesStore(Factors, Side);
        var image = new byte[Side * Side];
        for (int row = 0; row < Count; row++)
        {
            Image(row, image);
            store.SetImage(row, image);
        }
        return store;
    }

    /// <summary>Draws one object into a cleared side × side 0/1 mask.</summary>
    public static void Render(Span<byte> dest, int side, string shape, double scale, double orientation, double posX, double posY)
    {
        if (dest.Length != side * side)
            throw new ArgumentException($"an image needs {side * side} bytes, the buffer has {dest.Length}");
        Func<double, double, bool> inside = shape switch
        {
            "square" => (u, v) => Math.Abs(u) <= 1 && Math.Abs(v) <= 1,
            "ellipse" => (u, v) => u * u + 4 * v * v <= 1,
            "heart" => InHeart,
            _ => throw new SbvaeException($"unknown dSprites shape '{shape}' (use {string.Join(", ", DSpritesLikeSpec.KnownShapes)})"),
        };
        dest.Clear();
        double half = scale * BaseFraction * side / 2;
        double cx = (Margin + (1 - 2 * Margin) * posX) * side, cy = (Margin + (1 - 2 * Margin) * posY) * side;
        double cos = Math.Cos(orientation), sin = Math.Sin(orientation);
        // Every shape fits in the unit square of its own frame, so a disc of radius √2 · half covers it.
        double reach = Math.Sqrt(2) * half + 1;
        int r0 = Math.Max(0, (int)Math.Floor(cy - reach)), r1 = Math.Min(side - 1, (int)Math.Ceiling(cy + reach));
        int c0 = Math.Max(0, (int)Math.Floor(cx - reach)), c1 = Math.Min(side - 1, (int)Math.Ceiling(cx + reach));
        for (int r = r0; r <= r1; r++)
        {
            double dy = r + 0.5 - cy;
            for (int col = c0; col <= c1; col++)
            {
                double dx = col + 0.5 - cx;
                // Pixel centre in the object's own frame (rotated back, in units of half the object size).
                double u = (dx * cos + dy * sin) / half, v = (-dx * sin + dy * cos) / half;
                if (inside(u, v)) dest[r * side + col] = 1;
            }
        }
    }

    static bool InHeart(double u, double v)
    {
        double x = HeartScale * u, y = HeartCentreY - HeartScale * v; // v grows downwards, the curve's y upwards
        double q = x * x + y * y - 1;
        return q * q * q - x * x * y * y * y <= 0;
    }
}
