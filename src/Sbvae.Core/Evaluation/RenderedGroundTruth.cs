using Sbvae.Data;

namespace Sbvae.Evaluation;

/// <summary>
/// Ground truth whose observations are made for any factor combination on demand, so FactorVAE and
/// BetaVAE scores (which fix one factor and sample the rest) work on a random subset of a grid: images
/// come from a full-grid store (dSprites) or from the generator that made the dataset. Factors are the
/// varying ones; constant factors keep their one class.
/// </summary>
public sealed class RenderedGroundTruth : IGroundTruthData
{
    readonly int[] varying, constant;
    readonly Action<int[], Random, Span<float>> render;

    public int NumFactors => varying.Length;
    public int[] FactorsNumValues { get; }

    public int[][] SampleFactors(int n, Random rng) => IGroundTruthData.Uniform(this, n, rng);
    /// <summary>Floats per rendered image: 3 × H × W.</summary>
    public int ImageFloats { get; }

    RenderedGroundTruth(IReadOnlyList<int> sizes, int[] constantClasses, int side, Action<int[], Random, Span<float>> render)
    {
        varying = Enumerable.Range(0, sizes.Count).Where(j => sizes[j] > 1).ToArray();
        if (varying.Length == 0) throw new SbvaeException("the dataset has no factor that varies");
        constant = constantClasses;
        FactorsNumValues = varying.Select(j => sizes[j]).ToArray();
        ImageFloats = 3 * side * side;
        this.render = render;
    }

    /// <summary>Renders with the dataset's generator, or null when it names none this toolkit knows.</summary>
    public static RenderedGroundTruth? For(ImageDataset data)
    {
        if (DatasetGenerators.Renderer(data.Generator, data) is not { } renderer || data.Count == 0) return null;
        return new RenderedGroundTruth(data.FactorSizes, data.Classes(0).ToArray().Select(c => (int)c).ToArray(), data.Height, renderer);
    }

    /// <summary>Looks every combination up in a store that holds the full grid in C order (the dSprites file).</summary>
    public static RenderedGroundTruth For(DSpritesStore store)
    {
        IImageStore s = store;
        return new RenderedGroundTruth(s.FactorSizes, new int[s.FactorSizes.Count], store.Side, (classes, _, image) =>
            s.Gather([store.Factors.Row(classes.Select(c => (long)c).ToArray())], image));
    }


    /// <summary>Images for factor rows (over the varying factors) as (n, 3, H, W) floats in [0, 1].</summary>
    public float[] Images(int[][] factors, Random rng)
    {
        var batch = new float[factors.Length * ImageFloats];
        var full = (int[])constant.Clone();
        for (int i = 0; i < factors.Length; i++)
        {
            for (int j = 0; j < varying.Length; j++) full[varying[j]] = factors[i][j];
            render(full, rng, batch.AsSpan(i * ImageFloats, ImageFloats));
        }
        return batch;
    }
}
