using System.Globalization;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Figures;
using Sbvae.Reports;

namespace Sbvae.Experiments;

/// <summary>
/// What the held-out experiment shows: each model's reconstruction error on the images it
/// trained on (outside the region) and on those it never saw (inside), a heat map of the
/// error over the x–y plane per model, and reconstructions of held-out images.
/// </summary>
public static class HeldOutAnalysis
{
    public sealed record Errors(string Label, double Outside, double Inside)
    {
        public double Ratio => Inside / Outside;
    }

    public static (IReadOnlyList<Errors> Errors, ReportSection Section) Build(
        IReadOnlyList<TrainedModel> models, ExperimentData data, FactorRegion region, string figuresDir)
    {
        var full = data.Full;
        int xf = Array.IndexOf(full.FactorNames, "x"), yf = Array.IndexOf(full.FactorNames, "y");
        bool[] inside = Enumerable.Range(0, full.Count)
            .Select(i => region.Contains(full.FactorValues[(long)i * full.NumFactors + xf], full.FactorValues[(long)i * full.NumFactors + yf]))
            .ToArray();
        Directory.CreateDirectory(figuresDir);
        var errors = new List<Errors>();
        var figures = new List<(string, string)>();
        var perModel = models.Select(m => ReconstructionError.PerImage(m, full)).ToList();
        var grids = perModel.Select(e => ErrorGrid(full, e, xf, yf)).ToList();
        // One colour scale for all maps, so the models compare at a glance.
        var cells = grids.SelectMany(g => g.Cast<double>()).Where(double.IsFinite).ToList();
        var scale = (cells.Min(), cells.Max());
        for (int i = 0; i < models.Count; i++)
        {
            string label = FigureSet.Label(models[i]);
            errors.Add(new Errors(label, Mean(perModel[i], inside, false), Mean(perModel[i], inside, true)));
            string png = Path.Combine(figuresDir, $"heldout_error_{models[i].Name}.png");
            SaveHeatMap(png, full, grids[i], xf, yf, inside, $"{label}: reconstruction error", scale);
            figures.Add(($"{label}: mean reconstruction error per position (white box: held out, {region}; one colour scale for all models)", png));
        }
        string recon = Path.Combine(figuresDir, "heldout_reconstructions.png");
        SaveReconstructions(recon, models, data.HeldOut!);
        figures.Insert(0, ("held-out images (top) and their reconstructions by each model", recon));

        string N(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var rows = errors.Select(x => new[] { x.Label, N(x.Outside), N(x.Inside), x.Ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" }).ToList();
        var best = errors.MinBy(x => x.Ratio)!;
        var sentences = new List<string>
        {
            $"Both models were {data.Description}. Errors are the reconstruction term per image ({Units(models[0])}), decoding the encoder mean.",
            $"The {best.Label} decoder generalises best into the unseen region: its error there is {best.Ratio:0.0}× its error on trained positions"
                + string.Concat(errors.Where(x => x != best).Select(x => $", against {x.Ratio:0.0}× for the {x.Label} decoder")) + ".",
        };
        return (errors, new ReportSection("Generalisation to a held-out region", sentences,
            ["model", "error outside (trained)", "error inside (held out)", "inside / outside"], rows, figures));
    }

    /// <summary>What the errors measure: SPEC §4's term for the Gaussian likelihood, else that likelihood's own −log p(x|z).</summary>
    static string Units(TrainedModel m) => m.Config.Model.Likelihood == "gaussian"
        ? "SPEC §4 units"
        : $"the {m.Config.Model.Likelihood} likelihood's −log p(x|z), constants dropped";

    /// <summary>The mean of the errors of the images inside (or outside) the region.</summary>
    internal static double Mean(double[] e, bool[] inside, bool wantInside)
    {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < e.Length; i++)
            if (inside[i] == wantInside) { sum += e[i]; n++; }
        return n > 0 ? sum / n : double.NaN;
    }

    /// <summary>Mean error per (x, y) position class, averaged over the other factors.</summary>
    public static double[,] ErrorGrid(ImageDataset full, double[] errors, int xf, int yf)
    {
        int nx = full.FactorSizes[xf], ny = full.FactorSizes[yf];
        var sum = new double[ny, nx];
        var count = new int[ny, nx];
        for (int i = 0; i < full.Count; i++)
        {
            int xi = (int)full.FactorClasses[(long)i * full.NumFactors + xf], yi = (int)full.FactorClasses[(long)i * full.NumFactors + yf];
            sum[yi, xi] += errors[i];
            count[yi, xi]++;
        }
        for (int r = 0; r < ny; r++)
            for (int c = 0; c < nx; c++)
                sum[r, c] = count[r, c] > 0 ? sum[r, c] / count[r, c] : double.NaN;
        return sum;
    }

    static void SaveHeatMap(string png, ImageDataset full, double[,] grid, int xf, int yf, bool[] inside, string title, (double, double) scale)
    {
        int nx = grid.GetLength(1), ny = grid.GetLength(0);
        double hx = nx > 1 ? 0.5 / (nx - 1) : 0.5, hy = ny > 1 ? 0.5 / (ny - 1) : 0.5;
        // The outline encloses the cells of the held-out positions.
        var xs = Enumerable.Range(0, full.Count).Where(i => inside[i]).Select(i => full.FactorValues[(long)i * full.NumFactors + xf]).ToList();
        var ys = Enumerable.Range(0, full.Count).Where(i => inside[i]).Select(i => full.FactorValues[(long)i * full.NumFactors + yf]).ToList();
        HeatMapFigure.Save(png, grid, title, "x (factor value)", "y (factor value)",
            (-hx, 1 + hx), (-hy, 1 + hy), (xs.Min() - hx, xs.Max() + hx, ys.Min() - hy, ys.Max() + hy), scale);
    }

    static void SaveReconstructions(string png, IReadOnlyList<TrainedModel> models, ImageDataset held)
    {
        const int columns = 8;
        int n = Math.Min(columns, held.Count);
        // Evenly spread over the held-out rows, shifted by one each so the innermost factor (colour) varies too.
        var picks = Enumerable.Range(0, n).Select(i => (int)(((long)i * held.Count / n + i) % held.Count)).ToArray();
        var chosen = held.Subset(picks);
        var images = picks.Select((_, i) => DatasetImages.Chw(chosen, i)).ToList();
        foreach (var m in models)
        {
            using var batch = m.Images(chosen);
            float[] recon = m.Reconstruct(batch);
            int per = 3 * m.ImageSize * m.ImageSize;
            for (int i = 0; i < n; i++)
                images.Add(recon.AsSpan(i * per, per).ToArray().Select(v => Math.Clamp(v, 0f, 1f)).ToArray());
        }
        ImageGrid.SavePng(png, images, held.Height, n, scale: held.Height < 64 ? 2 : 1,
            rowLabels: ["held out", .. models.Select(FigureSet.Label)]);
    }
}
