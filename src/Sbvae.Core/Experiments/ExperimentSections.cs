using System.Globalization;
using Sbvae.Reports;

namespace Sbvae.Experiments;

/// <summary>The report section of the small-objects and dependent-factors experiments.</summary>
public static class ExperimentSections
{
    /// <summary>Below this many nats per image a code says nothing about its input.</summary>
    const double CollapsedKl = 0.1;

    public static ReportSection For(ExperimentKind kind, ExperimentData data, IReadOnlyList<ModelSummary> models)
    {
        string N(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var sentences = new List<string> { $"Both models were trained on {data.Description}." };
        string title;
        if (kind == ExperimentKind.Small)
        {
            title = "Small objects";
            var best = models.MinBy(m => m.FinalReconstruction)!;
            foreach (var other in models.Where(m => m != best))
                sentences.Add($"The {best.Label} decoder ends with a reconstruction term of {N(best.FinalReconstruction)} against {N(other.FinalReconstruction)} for the {other.Label} decoder ({other.FinalReconstruction / best.FinalReconstruction:0.0}×).");
        }
        else
        {
            title = "Dependent factors";
            var scored = models.Where(m => m.Metrics.ContainsKey("mig")).ToList();
            var best = scored.MaxBy(m => m.Metrics["factorvae"]);
            if (scored.Count == models.Count && best is not null && scored.All(m => m == best || m.Metrics["factorvae"] < best.Metrics["factorvae"]))
            {
                sentences.Add($"Scored on the full independent grid, the {best.Label} decoder's code separates the factors best (FactorVAE {N(best.Metrics["factorvae"])}, MIG {N(best.Metrics["mig"])})"
                    + string.Concat(scored.Where(m => m != best).Select(m => $"; the {m.Label} decoder reaches FactorVAE {N(m.Metrics["factorvae"])}, MIG {N(m.Metrics["mig"])}")) + ".");
            }
        }
        foreach (var m in models.Where(m => m.FinalKl < CollapsedKl))
            sentences.Add($"The {m.Label} model's KL is {N(m.FinalKl)} nats: its code carries no information (posterior collapse) and it draws one image for every input"
                + (kind == ExperimentKind.Small ? "; objects this small change too few pixels to pay for a code at this σ_x², so try a smaller --variance." : "."));
        var rows = models.Select(m => new[] { m.Label, N(m.FinalReconstruction), N(m.FinalKl), m.Metrics.TryGetValue("factorvae", out var f) ? N(f) : "–", m.Metrics.TryGetValue("mig", out var g) ? N(g) : "–" }).ToList();
        return new ReportSection(title, sentences, ["model", "reconstruction", "KL", "FactorVAE", "MIG"], rows, []);
    }
}
