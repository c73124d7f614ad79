using System.Globalization;
using Sbvae.Checkpoints;
using Sbvae.Data;

namespace Sbvae.Reports;

/// <summary>Gathers the figures, final losses, timings and scores of trained runs into a report.</summary>
public static class ComparisonBuilder
{
    public static ComparisonReport Build(IReadOnlyList<TrainedModel> runs, IImageStore data, string dir, string command, bool quick,
        Func<TrainedModel, IReadOnlyDictionary<string, double>>? metrics = null)
    {
        var first = runs[0].Config;
        var figures = FigureSet.Draw(runs, data, Path.Combine(dir, "figures"), first.Train.Seed);
        var summaries = runs.Select(m =>
        {
            var h = m.State.History;
            double seconds = h.Sum(r => r.Seconds);
            double images = h.Sum(r => r.ImagesPerSecond * r.Seconds);
            var last = h.Count > 0 ? h[^1] : null;
            string label = FigureSet.Label(m);
            return new ModelSummary(label, Path.GetFullPath(m.Run.Dir), m.Config.Train.BySteps() ? m.State.Epoch : h.Count, last?.Kl ?? double.NaN, last?.Reconstruction ?? double.NaN,
                seconds, seconds > 0 ? images / seconds : double.NaN, figures.GeometryR2.GetValueOrDefault(label, double.NaN),
                metrics?.Invoke(m) ?? new Dictionary<string, double>())
            {
                Objective = ObjectiveText.Objective(m.Config.Model),
                Likelihood = ObjectiveText.Likelihood(m.Config.Model),
                FinalMse = last is not null && last.Terms.TryGetValue("mse", out double mse) ? mse : double.NaN,
            };
        }).ToList();
        string I(double v) => v.ToString(CultureInfo.InvariantCulture);
        var config = new List<(string, string)>
        {
            ("dataset", first.Train.Dataset ?? $"reference circles ({data.Count} images, {data.Height}×{data.Width})"),
            first.Train.Steps is int steps
                ? ("steps", steps.ToString(CultureInfo.InvariantCulture))
                : ("epochs", first.Train.Epochs.ToString(CultureInfo.InvariantCulture) + (quick ? " (--quick preset)" : "")),
            ("latent size k", first.Model.Latent.ToString(CultureInfo.InvariantCulture)),
            ("decoder variance σ_x²", I(first.Model.Variance)),
            ("β", I(first.Model.Beta)),
            ("batch", first.Train.Batch.ToString(CultureInfo.InvariantCulture)),
            ("learning rate (Adam)", I(first.Train.LearningRate)),
            ("seed", first.Train.Seed.ToString(CultureInfo.InvariantCulture)),
            ("spatial broadcast variant", first.Model.Unpadded ? "unpadded, larger grid (paper)" : "padded (walk-through)"),
            ("precision", PrecisionText(first.Train)),
        };
        string? note = quick && !first.Train.BySteps()
            ? $"Quick preset: {first.Train.Epochs} epochs instead of the reference 150, so losses sit above the walk-through's final values; the comparison between decoders already shows."
            : null;
        int threads = first.Train.ThreadCount();
        return new ComparisonReport("Spatial broadcast vs deconv decoder", command, MachineInfo.Describe(threads), config, summaries, figures, note,
            // The walk-through's numbers are for the reference circles, objective and likelihood only.
            ReferenceData: first.Train.Dataset is null && runs.All(m => m.Config.Model.HasReferenceObjective()));
    }

    /// <summary>The precision option, and for auto what it picks on this machine (the one the report describes).</summary>
    static string PrecisionText(Training.TrainConfig train)
    {
        if (train.Precision != "auto") return train.Precision;
        var picked = Engine.PrecisionSupport.Resolve("auto", TorchSharp.torch.device(train.Device));
        return $"auto: {picked.ToString().ToLowerInvariant()} on this machine";
    }
}
