using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;

namespace Sbvae.Experiments;

/// <summary>
/// An experiment's own results for one trained model, as sweeps record them (experiment.json) and
/// `aggregate` tabulates them: on the full independent grid, the likelihood-independent error
/// (`full_mse`, the mean image's squared error per pixel) and a linear probe's R² from μ to the true
/// position (`probe_r2`); held-out only, the mean reconstruction error inside and outside the region
/// and their ratio, as the experiment's report gives them (`heldout_inside`, `heldout_outside`,
/// `heldout_ratio`), and the same ratio of squared errors (`heldout_mse_ratio`).
/// </summary>
public static class ExperimentScores
{
    public static Dictionary<string, double> Measure(TrainedModel model, ExperimentKind kind, ExperimentData data, ExperimentOptions options)
    {
        var full = data.Full;
        var scores = new Dictionary<string, double> { ["full_mse"] = ReconstructionError.MeanSquaredError(model, full) };
        if (PositionFactors.Of(full.FactorNames) is var (xf, yf))
        {
            using var images = model.Images(full);
            var (mu, _) = model.Encode(images);
            int k = model.Latent;
            var codes = Enumerable.Range(0, full.Count).Select(i => mu.AsSpan(i * k, k).ToArray()).ToArray();
            var xy = Enumerable.Range(0, full.Count).Select(i => new[] { Value(full, i, xf), Value(full, i, yf) }).ToArray();
            scores["probe_r2"] = LinearProbe.HeldOutR2(codes, xy, options.Seed);

            if (kind == ExperimentKind.HeldOut)
            {
                bool[] inside = xy.Select(p => options.Region.Contains(p[0], p[1])).ToArray();
                var term = ReconstructionError.PerImage(model, full);
                var squared = ReconstructionError.PerImageSquaredError(model, full);
                scores["heldout_inside"] = HeldOutAnalysis.Mean(term, inside, true);
                scores["heldout_outside"] = HeldOutAnalysis.Mean(term, inside, false);
                scores["heldout_ratio"] = scores["heldout_inside"] / scores["heldout_outside"];
                scores["heldout_mse_ratio"] = HeldOutAnalysis.Mean(squared, inside, true) / HeldOutAnalysis.Mean(squared, inside, false);
            }
        }
        return scores;
    }

    static double Value(ImageDataset data, int row, int factor) => data.FactorValues[(long)row * data.NumFactors + factor];

}
