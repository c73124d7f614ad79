namespace Sbvae.Data;

/// <summary>
/// The generators a dataset can name in its 'generator' member, so metrics can render any factor
/// combination instead of looking for it among the stored images: "dsprites-like" (the procedural
/// dSprites grid, default <see cref="DSpritesLikeSpec"/>) and "colored-sprites" (the same shapes
/// painted from the default <see cref="HsvRange"/>).
/// </summary>
public static class DatasetGenerators
{
    public const string DSpritesLike = "dsprites-like", ColoredSprites = "colored-sprites";

    /// <summary>
    /// A renderer of one image from all of the dataset's factor classes into (3, H, W) floats in [0, 1],
    /// or null when <paramref name="generator"/> is unknown or does not fit the dataset.
    /// </summary>
    public static Action<int[], Random, Span<float>>? Renderer(string? generator, ImageDataset data)
    {
        if (generator is not (DSpritesLike or ColoredSprites)) return null;
        var source = new DSpritesLike(new DSpritesLikeSpec());
        bool colored = generator == ColoredSprites;
        var expected = colored ? Data.ColoredSprites.FactorNames : ImageDataset.DSpritesFactorNames;
        if (!data.FactorNames.SequenceEqual(expected) || data.Height != source.Side) return null;
        int pixels = source.Side * source.Side;
        var mask = new byte[pixels];
        var range = new HsvRange();
        return (classes, rng, image) =>
        {
            Span<long> grid = stackalloc long[6];
            if (colored) for (int j = 0; j < 5; j++) grid[j + 1] = classes[j];
            else for (int j = 0; j < 6; j++) grid[j] = classes[j];
            source.Image(source.Factors.Row(grid), mask);
            // A colour class is a bin of the HSV box; draw the colour uniformly within it.
            var (r, g, b) = colored
                ? Data.ColoredSprites.HsvToRgb(InBin(classes[5], range.HueMin, range.HueMax, rng),
                    InBin(classes[6], range.SaturationMin, range.SaturationMax, rng), InBin(classes[7], range.ValueMin, range.ValueMax, rng))
                : ((byte)255, (byte)255, (byte)255);
            byte[] rgb = [r, g, b];
            for (int ch = 0; ch < 3; ch++)
                for (int p = 0; p < pixels; p++)
                    image[ch * pixels + p] = mask[p] != 0 ? rgb[ch] / 255f : 0f;
        };
    }

    static double InBin(int bin, double lo, double hi, Random rng) => lo + (bin + rng.NextDouble()) / HsvRange.Bins * (hi - lo);
}
