using Sbvae.Checkpoints;
using Sbvae.Data;
using static TorchSharp.torch;

namespace Sbvae.Evaluation;

/// <summary>Scores a trained model: codes = encoder means of the dataset's images (SPEC §7).</summary>
public static class ModelEvaluation
{
    /// <summary>Images of a large store the geometry probe searches (a few hundred MB at most).</summary>
    const int GeometrySample = 20_000;

    static readonly string[] NeedObservations = ["factorvae", "betavae"];

    /// <summary>Ground truth over the factors that vary in <paramref name="data"/> (constant ones carry no information).</summary>
    public static InMemoryGroundTruth Truth(ImageDataset data)
    {
        int[] varying = data.VaryingFactors;
        if (varying.Length == 0) throw new SbvaeException("the dataset has no factor that varies");
        var rows = new int[data.Count][];
        for (int i = 0; i < data.Count; i++)
            rows[i] = varying.Select(j => (int)data.FactorClasses[(long)i * data.NumFactors + j]).ToArray();
        return new InMemoryGroundTruth(rows);
    }

    /// <summary>
    /// Scores on any store: an in-memory set as below; a larger store that is a full grid draws every
    /// metric's images from it (<see cref="StoreGroundTruth"/>), never encoding all of it; any other
    /// store runs MIG, DCI and SAP on its images (a seeded sample of <see cref="StoreRows.Large"/> when
    /// larger), encoded in batches, and says in one line why FactorVAE and BetaVAE are left out.
    /// </summary>
    public static Dictionary<string, double> Evaluate(TrainedModel model, IImageStore store, IReadOnlyList<string> metrics, int seed, MetricSizes sizes,
        Action<string>? note = null, Action<string>? starting = null)
    {
        if (store is ImageDataset data) return Evaluate(model, data, metrics, seed, sizes, note, starting);
        var sampled = metrics.Where(m => m != "geometry").ToList();
        var scores = new Dictionary<string, double>();
        if (sampled.Count > 0)
        {
            using var images = model.Images(store);
            if (StoreGroundTruth.FullGrid(store, out string? whyNot) is { } grid)
                scores = MetricSuite.Sampled(grid, grid.Encoder(model, images), sampled, seed, sizes, starting);
            else if (!store.FactorSizes.Any(s => s > 1))
                note?.Invoke($"{string.Join(", ", sampled)} left out: the dataset has no factors (an image folder gets them from a factors.csv)");
            else
            {
                var left = sampled.Where(NeedObservations.Contains).ToList();
                if (left.Count > 0)
                    note?.Invoke($"{string.Join(" and ", left)} left out: they need images for chosen factor values, and {whyNot}");
                var order = Seeds.Permutation(store.Count, seed, 0).Take(StoreRows.Large).ToArray();
                if (store.Count > StoreRows.Large)
                    note?.Invoke($"{string.Join(", ", sampled.Except(left))} on a seeded sample of {StoreRows.Large:N0} of the {store.Count:N0} images");
                var (mu, _) = model.Encode(images, order);
                int k = model.Latent;
                var codes = Enumerable.Range(0, order.Length).Select(i => mu.AsSpan(i * k, k).ToArray()).ToArray();
                int[] varying = Enumerable.Range(0, store.FactorSizes.Count).Where(j => store.FactorSizes[j] > 1).ToArray();
                var classes = new int[store.FactorSizes.Count];
                var rows = order.Select(i => { store.ClassesOf((int)i, classes); return varying.Select(j => classes[j]).ToArray(); }).ToArray();
                scores = MetricSuite.AllPoints(codes, rows, sampled.Except(left), sizes);
            }
        }
        // The probe looks for one object at every middle position among a seeded sample (the store's own images).
        if (metrics.Contains("geometry"))
            AddGeometry(model, StoreRows.Take(store, StoreRows.Sample(store.Count, Math.Min(store.Count, GeometrySample), seed)), scores, note, starting);
        return scores;
    }

    /// <summary>
    /// A full grid is looked up among the encoded images (as always); a subset made by a known generator
    /// is rendered on demand; any other set runs MIG, DCI and SAP on all its images and leaves out the
    /// metrics that need chosen factor values, saying so through <paramref name="note"/>.
    /// </summary>
    public static Dictionary<string, double> Evaluate(TrainedModel model, ImageDataset data, IReadOnlyList<string> metrics, int seed, MetricSizes sizes,
        Action<string>? note = null, Action<string>? starting = null)
    {
        if (data.VaryingFactors.Length == 0)
        {
            var skipped = metrics.Where(m => m != "geometry").ToList();
            if (skipped.Count > 0)
                note?.Invoke($"{string.Join(", ", skipped)} left out: the dataset has no factors (an image folder gets them from a factors.csv)");
            var only = new Dictionary<string, double>();
            if (metrics.Contains("geometry")) note?.Invoke("geometry left out: the dataset has no x and y factors");
            return only;
        }
        var truth = Truth(data);
        using var images = model.Images(data);
        var (mu, _) = model.Encode(images);
        int k = model.Latent;
        var codes = Enumerable.Range(0, data.Count).Select(i => mu.AsSpan(i * k, k).ToArray()).ToArray();
        var sampled = metrics.Where(m => m != "geometry").ToList();
        Dictionary<string, double> scores;
        if (IsFullGrid(truth, data))
            scores = MetricSuite.Sampled(truth, MetricSuite.Lookup(truth, codes), sampled, seed, sizes, starting);
        else if (RenderedGroundTruth.For(data) is { } rendered)
            scores = MetricSuite.Sampled(rendered, Rendered(model, rendered), sampled, seed, sizes, starting);
        else
        {
            var left = sampled.Where(NeedObservations.Contains).ToList();
            if (left.Count > 0)
                note?.Invoke($"{string.Join(" and ", left)} left out: they need images for chosen factor values, and this dataset is neither a full factor grid nor made by a generator that can render them");
            // Every image once, in a seeded order: the DCI/SAP split is by row order and datasets are sorted by factors.
            var order = Seeds.Permutation(data.Count, seed, 0);
            var rows = order.Select(i => TruthRow(data, (int)i)).ToArray();
            scores = MetricSuite.AllPoints(order.Select(i => codes[i]).ToArray(), rows, sampled.Except(left), sizes);
        }
        if (metrics.Contains("geometry")) AddGeometry(model, data, scores, note, starting);
        return scores;
    }

    /// <summary>geometry_r2 and geometry_extent on the dataset's own probe (<see cref="GeometryProbe.Score"/>).</summary>
    static void AddGeometry(TrainedModel model, ImageDataset data, Dictionary<string, double> scores, Action<string>? note, Action<string>? starting)
    {
        starting?.Invoke("geometry");
        if (GeometryProbe.Score(model, data) is not { } g)
        {
            note?.Invoke("geometry left out: the dataset has no x and y factors (or the code has fewer than 2 latents)");
            return;
        }
        scores["geometry_r2"] = g.R2;
        scores["geometry_extent"] = g.Extent;
    }

    static int[] TruthRow(ImageDataset data, int i) =>
        data.VaryingFactors.Select(j => (int)data.FactorClasses[(long)i * data.NumFactors + j]).ToArray();

    /// <summary>Whether every combination of the varying factors' classes has an image.</summary>
    static bool IsFullGrid(InMemoryGroundTruth truth, ImageDataset data)
    {
        long combos = truth.FactorsNumValues.Aggregate(1L, (a, b) => Math.Min(a * b, long.MaxValue / 64));
        if (combos > data.Count) return false;
        var seen = new HashSet<string>();
        for (int i = 0; i < data.Count; i++) seen.Add(string.Join(',', TruthRow(data, i)));
        return seen.Count == combos;
    }

    /// <summary>Encodes rendered images of the asked factor values, a few hundred at a time.</summary>
    public static Representation Rendered(TrainedModel model, RenderedGroundTruth truth) => (factors, rng) =>
    {
        int batch = model.InferenceBatch;
        var codes = new float[factors.Length][];
        int side = model.ImageSize;
        using var noGrad = no_grad();
        for (int start = 0; start < factors.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, factors.Length - start);
            var pixels = truth.Images(factors[start..(start + n)], rng);
            var (mu, _) = model.Inference.Encode(tensor(pixels, [n, 3, side, side]).to(model.Device));
            var flat = mu.cpu().data<float>().ToArray();
            for (int i = 0; i < n; i++) codes[start + i] = flat.AsSpan(i * model.Latent, model.Latent).ToArray();
        }
        return codes;
    };
}
