namespace Sbvae.Data;

/// <summary>
/// A 3D Shapes look-alike: every combination of floor hue × wall hue × object hue × scale × shape ×
/// orientation (public sizes 10, 10, 10, 8, 4, 15, C order as the public file), each a flat-coloured wall
/// over a floor with one object of the given hue, scale, shape and orientation. The values are the public
/// file's: hues i/n, scales linspace(0.75, 1.25), shapes 0–3, orientations linspace(−30, 30) degrees.
/// </summary>
public sealed class Shapes3DLike
{
    public const int Side = 64;
    public static readonly IReadOnlyList<int> PublicSizes = [10, 10, 10, 8, 4, 15];

    public IReadOnlyList<int> Sizes { get; }
    public int Count { get; }

    public Shapes3DLike(IReadOnlyList<int>? sizes = null)
    {
        sizes ??= PublicSizes;
        if (sizes.Count != 6) throw new SbvaeException($"3D Shapes has 6 factors, {sizes.Count} sizes were given");
        for (int j = 0; j < 6; j++)
            if (sizes[j] < 1 || sizes[j] > PublicSizes[j])
                throw new SbvaeException($"factor '{Shapes3D.FactorNames[j]}' takes 1 to {PublicSizes[j]} values, not {sizes[j]}");
        Sizes = sizes.ToArray();
        Count = sizes.Aggregate(1, (n, s) => n * s);
    }

    /// <summary>Row <paramref name="row"/>'s class per factor (C order: the last factor varies fastest).</summary>
    public void Classes(int row, Span<int> classes)
    {
        for (int j = 5; j >= 0; j--)
        {
            classes[j] = row % Sizes[j];
            row /= Sizes[j];
        }
    }

    /// <summary>The value the public file's labels hold for class <paramref name="c"/> of factor <paramref name="j"/>.</summary>
    public double Value(int j, int c) => j switch
    {
        < 3 => (double)c / Sizes[j],
        3 => Linspace(0.75, 1.25, c, Sizes[j]),
        4 => c,
        _ => Linspace(-30, 30, c, Sizes[j]),
    };

    static double Linspace(double lo, double hi, int i, int n) => n == 1 ? lo : lo + (hi - lo) * i / (n - 1);

    /// <summary>Renders row <paramref name="row"/> as Side × Side × 3 bytes (H, W, C).</summary>
    public void Image(int row, Span<byte> hwc)
    {
        Span<int> c = stackalloc int[6];
        Classes(row, c);
        var floor = ColoredSprites.HsvToRgb(Value(0, c[0]), 0.8, 0.6);
        var wall = ColoredSprites.HsvToRgb(Value(1, c[1]), 0.8, 0.9);
        var obj = ColoredSprites.HsvToRgb(Value(2, c[2]), 1, 1);
        double radius = 9 * Value(3, c[3]), angle = Value(5, c[5]) * Math.PI / 180;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        int shape = c[4];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                // Object coordinates: centred on the floor line, turned by the orientation, in radii.
                double dx = x + 0.5 - 32, dy = y + 0.5 - 40;
                double u = (cos * dx + sin * dy) / radius, v = (-sin * dx + cos * dy) / radius;
                bool inside = shape switch
                {
                    0 => Math.Abs(u) <= 1 && Math.Abs(v) <= 1,                                    // cube
                    1 => Math.Abs(u) <= 0.7 && Math.Abs(v) <= 1.2,                                // cylinder
                    2 => u * u + v * v <= 1,                                                      // sphere
                    _ => Math.Abs(u) <= 0.6 && (Math.Abs(v) <= 0.6 || u * u + Math.Pow(Math.Abs(v) - 0.6, 2) <= 0.36), // capsule
                };
                var (r, g, b) = inside ? obj : y >= 40 ? floor : wall;
                int p = 3 * (y * Side + x);
                hwc[p] = r; hwc[p + 1] = g; hwc[p + 2] = b;
            }
    }

    /// <summary>
    /// Writes the public layout (<c>images</c> uint8 (N, 64, 64, 3), <c>labels</c> float64 (N, 6)) as a
    /// contiguous HDF5 file, atomically, rendering a thousand images at a time.
    /// </summary>
    public void Write(string path)
    {
        const int block = 1024, bytes = Side * Side * 3;
        Hdf5Array[] arrays = [new("images", false, [Count, Side, Side, 3]), new("labels", true, [Count, 6])];
        AtomicFile.Write(path, stream => Hdf5Writer.Write(stream, arrays, (i, s) =>
        {
            if (i == 1)
            {
                Span<int> c = stackalloc int[6];
                var row = new byte[6 * 8];
                for (int n = 0; n < Count; n++)
                {
                    Classes(n, c);
                    for (int j = 0; j < 6; j++)
                        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(8 * j), Value(j, c[j]));
                    s.Write(row);
                }
                return;
            }
            var buffer = new byte[block * bytes];
            for (int first = 0; first < Count; first += block)
            {
                int k = Math.Min(block, Count - first);
                Parallel.For(0, k, n => Image(first + n, buffer.AsSpan(n * bytes, bytes)));
                s.Write(buffer, 0, k * bytes);
            }
        }));
    }
}
