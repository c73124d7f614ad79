using Sbvae.Checkpoints;
using Sbvae.Data;

namespace Sbvae.Evaluation;

/// <summary>Scores a trained model: codes = encoder means of the dataset's images (SPEC §7).</summary>
public static class ModelEvaluation
{
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

    public static Dictionary<string, double> Evaluate(TrainedModel model, ImageDataset data, IReadOnlyList<string> metrics, int seed, MetricSizes sizes)
    {
        var truth = Truth(data);
        using var images = model.Images(data);
        var (mu, _) = model.Encode(images);
        int k = model.Latent;
        var codes = Enumerable.Range(0, data.Count).Select(i => mu.AsSpan(i * k, k).ToArray()).ToArray();
        var scores = MetricSuite.Sampled(truth, MetricSuite.Lookup(truth, codes), metrics.Where(m => m != "geometry"), seed, sizes);
        if (metrics.Contains("geometry")) scores["geometry_r2"] = GeometryProbe.Measure(model).R2;
        return scores;
    }
}
