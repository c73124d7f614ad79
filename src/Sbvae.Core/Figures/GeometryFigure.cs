using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>
/// SPEC §6.3: the ground-truth grid of (x, y) positions beside each model's two most
/// informative latent means, every grid line drawn in its own colour (blues for vertical
/// lines, reds for horizontal), so a grid kept up to an affine map and a twisted one look
/// different at a glance. A caption under the panels explains the colours.
/// </summary>
public static class GeometryFigure
{
    const int Panel = 460, CaptionHeight = 30;

    public static void Save(string pngPath, double[][] groundTruth, int[] lineIds, IReadOnlyList<GeometryData> models)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(lineIds);
        ArgumentNullException.ThrowIfNull(models);
        if (groundTruth.Length == 0) throw new ArgumentException("no ground-truth points", nameof(groundTruth));
        if (lineIds.Length != groundTruth.Length)
            throw new ArgumentException($"{groundTruth.Length} ground-truth points but {lineIds.Length} line ids");
        CheckPoints(groundTruth, "ground truth");
        foreach (GeometryData m in models)
        {
            if (m.Points.Length != groundTruth.Length || m.LineIds.Length != groundTruth.Length)
                throw new ArgumentException($"model '{m.Model}' has {m.Points.Length} points and {m.LineIds.Length} line ids; the grid has {groundTruth.Length}");
            CheckPoints(m.Points, m.Model);
        }

        var lines = new GridLines(groundTruth, lineIds);
        var plots = new List<Plot> { Scatter("ground truth", "x", "y", groundTruth, lineIds, lines) };
        plots[0].Axes.SquareUnits();
        foreach (GeometryData m in models)
            plots.Add(Scatter(Title(m), $"lat dim {m.DimA}", $"lat dim {m.DimB}", m.Points, m.LineIds, lines));

        using SKSurface surface = Drawing.NewSurface(plots.Count * Panel, Panel + CaptionHeight);
        Plots.RenderRow(surface.Canvas, plots, Panel, Panel);
        using SKFont font = Fonts.Regular(13);
        Drawing.Text(surface.Canvas,
            "colour = grid line: blues are vertical lines (x fixed, darker = larger x), reds are horizontal lines (y fixed, darker = larger y)",
            12, Panel + 19, font);
        Drawing.SavePng(pngPath, surface);
    }

    /// <summary>"model (lat dims a, b; affine R² = 0.97)", also usable as a caption.</summary>
    public static string Title(GeometryData m)
    {
        string dims = $"lat dims {m.DimA}, {m.DimB}";
        return m.AffineR2 is double r2
            ? $"{m.Model} ({dims}; affine R² = {r2.ToString("0.00", CultureInfo.InvariantCulture)})"
            : $"{m.Model} ({dims})";
    }

    static Plot Scatter(string title, string xLabel, string yLabel, double[][] points, int[] ids, GridLines lines)
    {
        Plot plot = Plots.New(title, xLabel, yLabel);
        plot.Axes.Title.Label.FontSize = 14;
        foreach (int id in ids.Distinct().Order())
        {
            int[] idx = lines.Ordered(ids, id);
            var s = plot.Add.Scatter(idx.Select(i => points[i][0]).ToArray(), idx.Select(i => points[i][1]).ToArray(), lines.ColourOf(id));
            s.LineWidth = 1.2f;
            s.MarkerSize = 4;
        }
        return plot;
    }

    static void CheckPoints(double[][] points, string what)
    {
        for (int i = 0; i < points.Length; i++)
            if (points[i] is not { Length: 2 })
                throw new ArgumentException($"{what}: point {i} must have 2 coordinates");
    }
}
