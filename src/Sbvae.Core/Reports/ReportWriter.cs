using System.Globalization;
using System.Net;
using System.Text;
using Sbvae.Figures;

namespace Sbvae.Reports;

/// <summary>
/// Writes a comparison as report.md (figures linked beside it) and report.html (figures
/// inlined as data URIs, so the one file reads offline). Both are written atomically.
/// </summary>
public static class ReportWriter
{
    static readonly string[] MetricOrder = ["mig", "dci_disentanglement", "dci_completeness", "dci_informativeness", "factorvae", "sap", "betavae"];

    // A score that could not be computed (no geometry without position factors) is written as "NaN".
    static readonly System.Text.Json.JsonSerializerOptions SummaryJson = new(Training.RunConfig.Json)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(ComparisonReport r, string dir)
    {
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), Markdown(r, dir));
        AtomicFile.WriteAllText(Path.Combine(dir, "report.html"), Html(r));
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"),
            System.Text.Json.JsonSerializer.Serialize(r.Models, SummaryJson) + "\n");
    }

    static string N(double v, string format = "0.000") =>
        double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    static IReadOnlyList<string[]> LossRows(ComparisonReport r) => r.Models.Select(m =>
    {
        var refs = r.ReferenceData ? ReferenceResults.For(m.Label) : null; // the walk-through's numbers are for the reference circles only
        return new[]
        {
            m.Label, m.Objective, m.Likelihood, m.Epochs.ToString(CultureInfo.InvariantCulture), N(m.FinalReconstruction), refs is null ? "–" : N(refs.Value.Reconstruction, "0.0"),
            N(m.FinalKl), refs is null ? "–" : N(refs.Value.Kl, "0.0"), N(m.FinalMse, "0.00000"), N(m.WallSeconds / 60, "0.0"), N(m.ImagesPerSecond, "0"),
        };
    }).ToList();

    /// <summary>Reconstruction is the likelihood's −log p(x|z); mse the mean image's squared error per pixel, comparable across likelihoods.</summary>
    static readonly string[] LossHeader = ["model", "objective", "likelihood", "epochs", "reconstruction", "walk-through", "KL", "walk-through", "mse (per pixel)", "wall time (min)", "images/s"];

    static (string[] Header, List<string[]> Rows) MetricTable(ComparisonReport r)
    {
        var names = MetricOrder.Where(n => r.Models.Any(m => m.Metrics.ContainsKey(n)))
            .Concat(r.Models.SelectMany(m => m.Metrics.Keys).Where(n => !MetricOrder.Contains(n) && n != "geometry_r2").Distinct()).ToList();
        names.Insert(0, "geometry_r2");
        // The score on the dataset's own probe where the metrics have it, else the geometry figure's (SPEC §6.3 grid).
        var rows = r.Models.Select(m => new[] { m.Label }.Concat(names.Select(n =>
            m.Metrics.TryGetValue(n, out var v) ? N(v) : n == "geometry_r2" ? N(m.GeometryR2) : "–")).ToArray()).ToList();
        return (["model", .. names], rows);
    }

    public static string Markdown(ComparisonReport r, string dir)
    {
        var sb = new StringBuilder();
        string Rel(string path) => Path.GetRelativePath(dir, path).Replace('\\', '/');
        void Table(string[] header, IEnumerable<string[]> rows)
        {
            sb.AppendLine("| " + string.Join(" | ", header) + " |");
            sb.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
            foreach (var row in rows) sb.AppendLine("| " + string.Join(" | ", row) + " |");
            sb.AppendLine();
        }
        sb.AppendLine($"# {r.Title}").AppendLine();
        sb.AppendLine($"`{r.Command}`  ").AppendLine($"{r.Machine}").AppendLine();
        if (r.Note is not null) sb.AppendLine($"> {r.Note}").AppendLine();
        sb.AppendLine("## Reading").AppendLine();
        foreach (var line in ReportReading.Sentences(r)) sb.AppendLine($"- {line}");
        sb.AppendLine().AppendLine("## Configuration").AppendLine();
        Table(["setting", "value"], r.Configuration.Select(c => new[] { c.Key, c.Value }));
        sb.AppendLine("## Final loss terms (per image, last epoch)").AppendLine();
        Table(LossHeader, LossRows(r));
        var (mh, mr) = MetricTable(r);
        sb.AppendLine("## Disentanglement").AppendLine();
        Table(mh, mr);
        foreach (var section in r.Sections)
        {
            sb.AppendLine($"## {section.Title}").AppendLine();
            foreach (var line in section.Sentences) sb.AppendLine(line).AppendLine();
            if (section.TableHeader is not null) Table(section.TableHeader, section.TableRows);
            foreach (var (caption, path) in section.Figures) sb.AppendLine($"![{caption}]({Rel(path)})").AppendLine();
        }
        sb.AppendLine("## Figures").AppendLine();
        sb.AppendLine("### Loss curves").AppendLine();
        sb.AppendLine(r.Figures.LossCurves is null ? "(no training history: imported weights)" : $"![loss curves]({Rel(r.Figures.LossCurves)})").AppendLine();
        sb.AppendLine("### Reconstructions and latent traversals").AppendLine().AppendLine($"![traversals]({Rel(r.Figures.Traversals)})").AppendLine();
        sb.AppendLine("### Latent space geometry").AppendLine()
            .AppendLine(r.Figures.Geometry is null ? FigureSet.NoGeometry : $"![geometry]({Rel(r.Figures.Geometry)})").AppendLine();
        sb.AppendLine("### Animated traversals").AppendLine();
        foreach (var gif in r.Figures.Animations) sb.AppendLine($"![{Path.GetFileNameWithoutExtension(gif)}]({Rel(gif)})");
        sb.AppendLine();
        sb.AppendLine("## Runs").AppendLine();
        foreach (var m in r.Models) sb.AppendLine($"- {m.Label}: `{m.RunDir}`");
        return sb.ToString();
    }

    public static string Html(ComparisonReport r)
    {
        var sb = new StringBuilder();
        string E(string s) => WebUtility.HtmlEncode(s);
        void Table(string[] header, IEnumerable<string[]> rows)
        {
            sb.Append("<table><tr>").Append(string.Concat(header.Select(h => $"<th>{E(h)}</th>"))).AppendLine("</tr>");
            foreach (var row in rows) sb.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{E(c)}</td>"))).AppendLine("</tr>");
            sb.AppendLine("</table>");
        }
        sb.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + E(r.Title) + "</title><style>");
        sb.AppendLine("body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}");
        sb.AppendLine("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}");
        sb.AppendLine("td:first-child,th:first-child{text-align:left}img{max-width:100%;margin:0.5em 0}code{background:#f4f4f4;padding:2px 4px}");
        sb.AppendLine("</style></head><body>");
        sb.AppendLine($"<h1>{E(r.Title)}</h1><p><code>{E(r.Command)}</code><br>{E(r.Machine)}</p>");
        if (r.Note is not null) sb.AppendLine($"<blockquote>{E(r.Note)}</blockquote>");
        sb.AppendLine("<h2>Reading</h2><ul>");
        foreach (var line in ReportReading.Sentences(r)) sb.AppendLine($"<li>{E(line)}</li>");
        sb.AppendLine("</ul><h2>Configuration</h2>");
        Table(["setting", "value"], r.Configuration.Select(c => new[] { c.Key, c.Value }));
        sb.AppendLine("<h2>Final loss terms (per image, last epoch)</h2>");
        Table(LossHeader, LossRows(r));
        var (mh, mr) = MetricTable(r);
        sb.AppendLine("<h2>Disentanglement</h2>");
        Table(mh, mr);
        foreach (var section in r.Sections)
        {
            sb.AppendLine($"<h2>{E(section.Title)}</h2>");
            foreach (var line in section.Sentences) sb.AppendLine($"<p>{E(line)}</p>");
            if (section.TableHeader is not null) Table(section.TableHeader, section.TableRows);
            foreach (var (caption, path) in section.Figures) sb.AppendLine($"<figure>{Figures.Html.ImgTag(path, caption)}<figcaption>{E(caption)}</figcaption></figure>");
        }
        sb.AppendLine("<h2>Figures</h2><h3>Loss curves</h3>").AppendLine(r.Figures.LossCurves is null
            ? "<p>(no training history: imported weights)</p>" : Figures.Html.ImgTag(r.Figures.LossCurves, "loss curves"));
        sb.AppendLine("<h3>Reconstructions and latent traversals</h3>").AppendLine(Figures.Html.ImgTag(r.Figures.Traversals, "traversals"));
        sb.AppendLine("<h3>Latent space geometry</h3>").AppendLine(r.Figures.Geometry is null
            ? $"<p>{E(FigureSet.NoGeometry)}</p>" : Figures.Html.ImgTag(r.Figures.Geometry, "geometry"));
        sb.AppendLine("<h3>Animated traversals</h3>");
        foreach (var gif in r.Figures.Animations) sb.AppendLine(Figures.Html.ImgTag(gif, Path.GetFileNameWithoutExtension(gif)));
        sb.AppendLine("<h2>Runs</h2><ul>");
        foreach (var m in r.Models) sb.AppendLine($"<li>{E(m.Label)}: <code>{E(m.RunDir)}</code></li>");
        sb.AppendLine("</ul></body></html>");
        return sb.ToString();
    }
}
