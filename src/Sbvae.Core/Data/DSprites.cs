namespace Sbvae.Data;

/// <summary>
/// Reads the public dSprites file (dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz: imgs uint8 0/1
/// (N, 64, 64), latents_values float64 (N, 6), latents_classes int64 (N, 6), rows in C order over
/// color × shape × scale × orientation × posX × posY), or any file in the same layout with another
/// consistent grid. The 3 GB imgs member is decompressed as a stream into a bit-packed store.
/// </summary>
public static class DSprites
{
    public const string FileName = "dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz";

    public static DSpritesStore Load(string path)
    {
        void Fail(string problem) => throw new SbvaeException($"'{path}': {problem}");
        var names = Npz.ArrayNames(path);
        foreach (string required in new[] { "imgs", "latents_values", "latents_classes" })
            if (!names.Contains(required))
                Fail($"missing array '{required}' (dSprites has imgs, latents_values and latents_classes)");

        int f = DSpritesFactors.DSpritesNames.Count;
        var valuesArray = Npz.ReadArray(path, "latents_values");
        var classesArray = Npz.ReadArray(path, "latents_classes");
        if (valuesArray.DType[1] != 'f')
            Fail($"latents_values must be floating point (float64), not {valuesArray.DType}");
        if (classesArray.DType[1] is not ('i' or 'u'))
            Fail($"latents_classes must be integers (int64), not {classesArray.DType}");
        foreach (var (name, a) in new[] { ("latents_values", valuesArray), ("latents_classes", classesArray) })
            if (a.Shape.Length != 2 || a.Shape[1] != f)
                Fail($"{name} must be (N, {f}), not {NpyFormat.ShapeText(a.Shape)}");
        int n = valuesArray.Shape[0];
        if (classesArray.Shape[0] != n)
            Fail($"latents_values has {n} rows but latents_classes has {classesArray.Shape[0]}");
        double[] values = valuesArray.ToDoubles();
        long[] classes;
        try { classes = classesArray.ToInt64s(); }
        catch (SbvaeException e) { throw new SbvaeException($"'{path}': latents_classes: {e.Message}"); }
        var factors = Grid(path, n, f, values, classes);

        return Npz.ReadStreaming(path, "imgs", (stream, length) => ReadImages(path, stream, length, factors));
    }

    /// <summary>
    /// The factor grid the latents describe: classes 0..max per factor, N = the product of the class
    /// counts, row i holding the C-order classes of i, and one value per (factor, class).
    /// </summary>
    static DSpritesFactors Grid(string path, int n, int f, double[] values, long[] classes)
    {
        void Fail(string problem) => throw new SbvaeException($"'{path}': {problem}");
        if (n == 0) Fail("the latents have no rows");
        var sizes = new long[f];
        for (int i = 0; i < classes.Length; i++)
        {
            long c = classes[i];
            if (c < 0) Fail($"latents_classes row {i / f} has negative {DSpritesFactors.DSpritesNames[i % f]} class {c}");
            if (c >= n) Fail($"latents_classes row {i / f} has {DSpritesFactors.DSpritesNames[i % f]} class {c}, beyond the {n} rows");
            sizes[i % f] = Math.Max(sizes[i % f], c + 1);
        }
        long product = 1;
        foreach (long s in sizes) product = Math.Min(product * s, long.MaxValue / n);
        if (product != n)
            Fail($"{n} rows but the factor classes span a grid of {string.Join("×", sizes)} = {product} rows");

        var table = sizes.Select(s => Enumerable.Repeat(double.NaN, (int)s).ToArray()).ToArray();
        for (int row = 0; row < n; row++)
        {
            long rest = row;
            for (int j = f - 1; j >= 0; j--)
            {
                long expected = rest % sizes[j];
                rest /= sizes[j];
                long c = classes[row * f + j];
                if (c != expected)
                    Fail($"row {row} has {DSpritesFactors.DSpritesNames[j]} class {c} where C order over the grid puts {expected} (rows must be sorted by factor classes)");
                double v = values[row * f + j];
                if (!double.IsFinite(v))
                    Fail($"latents_values row {row} has a non-finite {DSpritesFactors.DSpritesNames[j]} value");
                ref double known = ref table[j][c];
                if (double.IsNaN(known)) known = v;
                else if (known != v)
                    Fail($"{DSpritesFactors.DSpritesNames[j]} class {c} has value {known} in one row and {v} in row {row}");
            }
        }
        return new DSpritesFactors(DSpritesFactors.DSpritesNames, table);
    }

    static DSpritesStore ReadImages(string path, Stream stream, long length, DSpritesFactors factors)
    {
        void Fail(string problem) => throw new SbvaeException($"'{path}': {problem}");
        var (dtype, shape, _) = NpyFormat.ReadHeader(stream, length);
        if (dtype.Kind != 'u' || dtype.ItemSize != 1)
            Fail($"imgs must be uint8, not {dtype.Descr}");
        if (shape.Length != 3)
            Fail($"imgs must be (N, H, W), not {NpyFormat.ShapeText(shape)}");
        if (shape[1] != shape[2] || shape[1] < 1)
            Fail($"images must be square, not {shape[1]}×{shape[2]}");
        if (shape[0] != factors.Count)
            Fail($"imgs has {shape[0]} images but the latents have {factors.Count} rows");
        int side = shape[1];
        var store = new DSpritesStore(factors, side);
        var image = new byte[side * side];
        for (int i = 0; i < shape[0]; i++)
        {
            NpyFormat.ReadExactly(stream, image, "data");
            int bad = image.AsSpan().IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0)
                Fail($"imgs must hold only 0 and 1, found {image[bad]} in image {i}");
            store.SetImage(i, image);
        }
        return store;
    }
}
