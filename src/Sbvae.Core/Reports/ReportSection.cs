namespace Sbvae.Reports;

/// <summary>
/// An extra section of a comparison report (an experiment's own findings): sentences, an
/// optional table and figures, rendered after the disentanglement scores.
/// </summary>
public sealed record ReportSection(
    string Title, IReadOnlyList<string> Sentences, string[]? TableHeader, IReadOnlyList<string[]> TableRows,
    IReadOnlyList<(string Caption, string Path)> Figures);
