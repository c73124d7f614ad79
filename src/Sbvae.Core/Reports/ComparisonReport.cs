namespace Sbvae.Reports;

/// <summary>
/// One model's row of the comparison: final loss terms, cost, scores, and what it was trained with. FinalReconstruction is
/// in the likelihood's own units; FinalMse is the mean image's squared error per pixel (NaN where the run did not log it).
/// </summary>
public sealed record ModelSummary(
    string Label, string RunDir, int Epochs, double FinalKl, double FinalReconstruction,
    double WallSeconds, double ImagesPerSecond, double GeometryR2,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The objective with its hyperparameters (<see cref="ObjectiveText.Objective"/>).</summary>
    public string Objective { get; init; } = "";
    /// <summary>The likelihood with its parameter (<see cref="ObjectiveText.Likelihood"/>).</summary>
    public string Likelihood { get; init; } = "";
    public double FinalMse { get; init; } = double.NaN;
}

/// <summary>Everything report.md and report.html show.</summary>
public sealed record ComparisonReport(
    string Title, string Command, string Machine, IReadOnlyList<(string Key, string Value)> Configuration,
    IReadOnlyList<ModelSummary> Models, FigureFiles Figures, string? Note, bool ReferenceData)
{
    /// <summary>Experiment sections shown after the scores.</summary>
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];
}

/// <summary>The walk-through's final per-image terms (SPEC §5), quoted beside ours.</summary>
public static class ReferenceResults
{
    public static (double Reconstruction, double Kl)? For(string label) => label switch
    {
        "spatial broadcast" => (6.0, 12.9),
        "deconv" => (8.8, 12.8),
        _ => null,
    };
}
