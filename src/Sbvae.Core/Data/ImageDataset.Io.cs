namespace Sbvae.Data;

// Reading and writing datasets as .npz files.
public sealed partial class ImageDataset
{
    /// <summary>Factor names of the dSprites file, in its latents column order.</summary>
    public static readonly string[] DSpritesFactorNames = ["color", "shape", "scale", "orientation", "posX", "posY"];

    /// <summary>
    /// Reads layout A (this toolkit's: imgs uint8 (N,H,W,C), latents_values (N,F), latents_classes (N,F),
    /// optional factor_names) or layout B (dSprites: imgs uint8 0/1 (N,H,W) and (N,6) latents).
    /// </summary>
    public static ImageDataset Load(string npzPath)
    {
        var names = Npz.ArrayNames(npzPath);
        void Fail(string problem) => throw new SbvaeException($"'{npzPath}': {problem}");
        foreach (string required in new[] { "imgs", "latents_values", "latents_classes" })
            if (!names.Contains(required))
                Fail($"missing array '{required}' (a dataset needs imgs, latents_values and latents_classes)");

        var imgs = Npz.ReadArray(npzPath, "imgs");
        if (imgs.DType != "|u1")
            Fail($"imgs must be uint8, not {imgs.DType}");
        int[] s = imgs.Shape;
        bool dsprites = s.Length == 3;
        if (!dsprites && !(s.Length == 4 && s[3] is 1 or 3))
            Fail($"imgs must be (N,H,W,3) or dSprites-style (N,H,W), not {NpyFormat.ShapeText(s)}");
        int n = s[0], h = s[1], w = s[2], c = dsprites ? 1 : s[3];
        if (h != w)
            Fail($"images must be square, not {h}×{w}");
        if (h < 16 || h % 16 != 0)
            Fail($"image size {h} is not a multiple of 16 (the encoder halves it four times)");

        double[] values = ReadMatrix(npzPath, "latents_values", n, a => a.ToDoubles(), out int f);
        long[] classes = ReadMatrix(npzPath, "latents_classes", n, a => a.ToInt64s(), out int fc);
        if (fc != f)
            Fail($"latents_values has {f} factors but latents_classes has {fc}");
        if (classes.Any(v => v < 0))
            Fail("latents_classes has a negative class");

        string[] factorNames;
        if (dsprites)
        {
            if (f != DSpritesFactorNames.Length)
                Fail($"dSprites-style latents must have {DSpritesFactorNames.Length} columns, not {f}");
            factorNames = (string[])DSpritesFactorNames.Clone();
        }
        else if (names.Contains("factor_names"))
        {
            var fn = Npz.ReadArray(npzPath, "factor_names");
            if (fn.DType[1] is not ('U' or 'S') || fn.Shape.Length != 1 || fn.Shape[0] != f)
                Fail($"factor_names must be {f} strings, not {fn.DType} {NpyFormat.ShapeText(fn.Shape)}");
            factorNames = fn.ToStrings();
        }
        else
            factorNames = Enumerable.Range(0, f).Select(j => $"factor{j}").ToArray();

        byte[] pixels = imgs.Data;
        if (dsprites)
        {
            // dSprites stores 0/1 masks; scale to the 0..255 every other source uses.
            for (int i = 0; i < pixels.Length; i++)
            {
                byte p = pixels[i];
                if (p > 1)
                    Fail($"dSprites-style imgs must hold only 0 and 1, found {p} at flat index {i}");
                pixels[i] = (byte)(p * 255);
            }
        }
        string? generator = null;
        if (names.Contains("generator"))
        {
            var g = Npz.ReadArray(npzPath, "generator");
            if (g.DType[1] is not ('U' or 'S') || g.Shape.Length != 1 || g.Shape[0] != 1)
                Fail($"generator must be one string, not {g.DType} {NpyFormat.ShapeText(g.Shape)}");
            generator = g.ToStrings()[0];
        }
        return new ImageDataset(n, h, w, c, pixels, factorNames, values, classes) { Generator = generator };
    }

    /// <summary>Writes layout A atomically (factor names as a numpy unicode array).</summary>
    public void Save(string npzPath)
    {
        int f = NumFactors;
        var arrays = new Dictionary<string, NpyArray>
        {
            ["imgs"] = NpyArray.FromBytes(Pixels, [Count, Height, Width, Channels]),
            ["latents_values"] = NpyArray.FromDoubles(FactorValues, [Count, f]),
            ["latents_classes"] = NpyArray.FromInt64s(FactorClasses, [Count, f]),
            ["factor_names"] = NpyArray.FromStrings(FactorNames),
        };
        if (Generator is not null) arrays["generator"] = NpyArray.FromStrings([Generator]);
        Npz.Write(npzPath, arrays);
    }

    static T[] ReadMatrix<T>(string path, string name, int n, Func<NpyArray, T[]> convert, out int columns)
    {
        var a = Npz.ReadArray(path, name);
        if (a.Shape.Length != 2)
            throw new SbvaeException($"'{path}': {name} must be 2-D (N, factors), not {NpyFormat.ShapeText(a.Shape)}");
        if (a.Shape[0] != n)
            throw new SbvaeException($"'{path}': {name} has {a.Shape[0]} rows but imgs has {n} images");
        columns = a.Shape[1];
        try { return convert(a); }
        catch (SbvaeException e) { throw new SbvaeException($"'{path}': {name}: {e.Message}"); }
    }
}
