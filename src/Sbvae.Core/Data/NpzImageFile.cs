namespace Sbvae.Data;

/// <summary>
/// A layout-A .npz (imgs uint8 (N, H, W, C)) too large for memory: its imgs member is inflated once,
/// as a stream, into a raw file in the dataset cache, which training then reads in chunks.
/// </summary>
public static class NpzImageFile
{
    public static ChunkedImageFile Open(string path, DatasetCache cache)
    {
        void Fail(string problem) => throw new SbvaeException($"'{path}': {problem}");
        var names = Npz.ArrayNames(path);
        if (!names.Contains("latents_classes"))
            Fail("missing array 'latents_classes' (a dataset needs imgs, latents_values and latents_classes)");
        var (n, h, w, c) = Npz.ReadStreaming(path, "imgs", (s, length) =>
        {
            var (dtype, shape, _) = NpyFormat.ReadHeader(s, length);
            if (dtype.Kind != 'u' || dtype.ItemSize != 1) Fail($"imgs must be uint8, not {dtype.Descr}");
            if (shape.Length != 4 || shape[3] is not (1 or 3)) Fail($"imgs must be (N,H,W,3) or dSprites-style (N,H,W), not {NpyFormat.ShapeText(shape)}");
            return (shape[0], shape[1], shape[2], shape[3]);
        });
        if (h != w) Fail($"images must be square, not {h}×{w}");
        if (h < 16 || h % 16 != 0) Fail($"image size {h} is not a multiple of 16 (the encoder halves it four times)");

        var classesArray = Npz.ReadArray(path, "latents_classes");
        if (classesArray.Shape.Length != 2 || classesArray.Shape[0] != n)
            Fail($"latents_classes must be ({n}, factors), not {NpyFormat.ShapeText(classesArray.Shape)}");
        int f = classesArray.Shape[1];
        long[] wide;
        try { wide = classesArray.ToInt64s(); }
        catch (SbvaeException e) { throw new SbvaeException($"'{path}': latents_classes: {e.Message}"); }
        var classes = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] < 0 || wide[i] > int.MaxValue) Fail($"latents_classes row {i / f} has class {wide[i]}");
            classes[i] = (int)wide[i];
        }
        string[] factorNames = names.Contains("factor_names")
            ? Npz.ReadArray(path, "factor_names").ToStrings()
            : Enumerable.Range(0, f).Select(j => $"factor{j}").ToArray();
        if (factorNames.Length != f) Fail($"factor_names has {factorNames.Length} names for {f} factors");

        string raw = cache.GetOrCreate($"npz-imgs|{DatasetCache.Stamp(path)}", ".u8", target =>
            Npz.ReadStreaming(path, "imgs", (s, length) =>
            {
                var (_, _, need) = NpyFormat.ReadHeader(s, length);
                s.CopyTo(target, 1 << 20);
                if (target.Length != need) Fail($"imgs holds {target.Length:N0} bytes where its shape needs {need:N0}");
                return 0;
            }));
        return new ChunkedImageFile(raw, 0, n, h, w, c, factorNames, classes);
    }
}
