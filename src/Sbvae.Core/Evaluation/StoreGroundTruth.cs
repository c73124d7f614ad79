using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Evaluation;

/// <summary>
/// Ground truth of an image store whose factor classes form a full grid (the dSprites file, 3D Shapes,
/// an image folder whose factors.csv covers every combination): the image for any combination of the
/// varying factors is a row of the store, found through an index built once by reading every row's
/// classes (memory in proportion to the rows, never the pixels). FactorVAE and BetaVAE draw from it.
/// </summary>
public sealed class StoreGroundTruth : IGroundTruthData
{
    readonly IImageStore store;
    readonly int[] varying;
    readonly long[] radix;
    readonly Dictionary<long, int> rows;

    public int NumFactors => varying.Length;
    public int[] FactorsNumValues { get; }

    public int[][] SampleFactors(int n, Random rng) => IGroundTruthData.Uniform(this, n, rng);

    StoreGroundTruth(IImageStore store, int[] varying, long[] radix, Dictionary<long, int> rows)
    {
        (this.store, this.varying, this.radix, this.rows) = (store, varying, radix, rows);
        FactorsNumValues = varying.Select(j => store.FactorSizes[j]).ToArray();
    }

    /// <summary>The store's ground truth when it is a full grid of its varying factors; else null and why not, in a phrase.</summary>
    public static StoreGroundTruth? FullGrid(IImageStore store, out string? whyNot)
    {
        var sizes = store.FactorSizes;
        int[] varying = Enumerable.Range(0, sizes.Count).Where(j => sizes[j] > 1).ToArray();
        whyNot = null;
        if (varying.Length == 0)
        {
            whyNot = "the dataset has no factor that varies";
            return null;
        }
        var radix = new long[varying.Length];
        long combos = 1;
        for (int v = varying.Length - 1; v >= 0; v--)
        {
            radix[v] = combos;
            combos = combos > store.Count ? combos : combos * sizes[varying[v]];
        }
        if (combos > store.Count)
        {
            whyNot = $"its {store.Count:N0} images are fewer than the combinations of its factor classes (not a full grid)";
            return null;
        }
        var index = new Dictionary<long, int>(store.Count);
        var classes = new int[sizes.Count];
        for (int i = 0; i < store.Count; i++)
        {
            store.ClassesOf(i, classes);
            long key = 0;
            for (int v = 0; v < varying.Length; v++) key += classes[varying[v]] * radix[v];
            index.TryAdd(key, i);
        }
        if (index.Count != combos)
        {
            whyNot = $"its factor classes cover {index.Count:N0} of their {combos:N0} combinations (not a full grid)";
            return null;
        }
        return new StoreGroundTruth(store, varying, radix, index);
    }


    /// <summary>The store's row with these classes of the varying factors.</summary>
    public int Row(int[] factors)
    {
        long key = 0;
        for (int v = 0; v < varying.Length; v++) key += factors[v] * radix[v];
        return rows[key];
    }

    /// <summary>
    /// The model's codes (encoder means) of the rows for the asked factor values. Each row is encoded
    /// once, when first asked, and kept (k floats a row): FactorVAE and BetaVAE draw millions of
    /// images, more than the store holds, so this never encodes more than encoding it all would.
    /// </summary>
    public Representation Encoder(TrainedModel model, TrainingImages images)
    {
        int k = model.Latent;
        var codes = new float[(long)store.Count * k];
        var done = new bool[store.Count];
        return (factors, _) =>
        {
            var picked = factors.Select(Row).ToArray();
            var missing = picked.Where(r => !done[r]).Distinct().Select(r => (long)r).ToArray();
            if (missing.Length > 0)
            {
                var (mu, _) = model.Encode(images, missing);
                for (int i = 0; i < missing.Length; i++)
                {
                    Array.Copy(mu, (long)i * k, codes, missing[i] * k, k);
                    done[missing[i]] = true;
                }
            }
            return picked.Select(r => codes.AsSpan((int)((long)r * k), k).ToArray()).ToArray();
        };
    }
}
