using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Figures;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Reports;

/// <summary>The figures drawn for one or two trained runs, and the geometry scores beside them.</summary>
/// <param name="Geometry">null when the dataset has no position factors (<see cref="FigureSet.NoGeometry"/>).</param>
public sealed record FigureFiles(string? LossCurves, string Traversals, string? Geometry, IReadOnlyList<string> Animations,
    IReadOnlyDictionary<string, double> GeometryR2);

/// <summary>
/// Computes what SPEC §6's figures show from trained models (encodings, reconstructions,
/// traversals) and hands plain arrays to the renderers in <see cref="Sbvae.Figures"/>.
/// </summary>
public static class FigureSet
{
    /// <summary>Sweep of each latent coordinate: 7 values in [−2, 2] (SPEC §6.2).</summary>
    public static readonly double[] Sweep = [-2, -4 / 3.0, -2 / 3.0, 0, 2 / 3.0, 4 / 3.0, 2];

    /// <summary>The figures; of <paramref name="store"/> only the few images shown are read (a large store is never held whole).</summary>
    /// <summary>Said where the geometry figure would be, for a dataset without positions.</summary>
    public const string NoGeometry = "No latent geometry figure: the dataset has no position factors (x and y), so there is no grid of positions to set the codes against.";

    /// <summary>Whether the images vary in position: factors x and y (or dSprites' posX and posY).</summary>
    public static bool HasPosition(IImageStore store) =>
        store.FactorNames.Contains("x") && store.FactorNames.Contains("y") || store.FactorNames.Contains("posX") && store.FactorNames.Contains("posY");

    public static FigureFiles Draw(IReadOnlyList<TrainedModel> models, IImageStore store, string outDir, int seed)
    {
        Directory.CreateDirectory(outDir);
        // Imported runs have no training history: no loss curves to draw for them.
        string? losses = null;
        if (models.Any(m => m.State.History.Count > 0))
        {
            losses = Path.Combine(outDir, "loss_curves.png");
            LossCurvesFigure.Save(losses, models.Where(m => m.State.History.Count > 0).Select(m => new LossHistory(Label(m),
                m.State.History.Select(r => r.Kl).ToArray(), m.State.History.Select(r => r.Reconstruction).ToArray())).ToList());
        }

        var rng = new Random(seed);
        int[] shown = Enumerable.Range(0, 7).Select(_ => rng.Next(store.Count)).ToArray();
        int[] gifShown = Enumerable.Range(0, 4).Select(_ => rng.Next(store.Count)).ToArray();
        // Only the images shown, as a set of their own: rows 0–6 the traversal's, 7–10 the animation's.
        var data = StoreRows.Take(store, [.. shown, .. gifShown]);
        int[] picks = [.. Enumerable.Range(0, shown.Length)];
        int[] gifPicks = [.. Enumerable.Range(shown.Length, gifShown.Length)];
        string traversals = Path.Combine(outDir, "traversals.png");
        TraversalFigure.Save(traversals, models.Select(m => Traversal(m, data, picks, seed)).ToList());

        var animations = new List<string>();
        foreach (var m in models)
        {
            string gif = Path.Combine(outDir, $"traversal_{m.Name}.gif");
            TraversalAnimation.SaveGif(gif, Animation(m, data, gifPicks), Sweep, m.ImageSize);
            animations.Add(gif);
        }

        var r2 = new Dictionary<string, double>();
        if (!HasPosition(store)) return new FigureFiles(losses, traversals, null, animations, r2);
        var grid = GeometryGrid.Create();
        string geometry = Path.Combine(outDir, "geometry.png");
        var panels = new List<GeometryData>();
        foreach (var m in models)
        {
            var g = GeometryProbe.Measure(m, grid);
            panels.Add(new GeometryData(Label(m), g.Points, grid.LineIds, g.DimA, g.DimB, g.R2));
            r2[Label(m)] = g.R2;
        }
        GeometryFigure.Save(geometry, grid.Points, grid.LineIds, panels);
        return new FigureFiles(losses, traversals, geometry, animations, r2);
    }

    /// <summary>"spatial broadcast" or "deconv", as the figures title the models.</summary>
    public static string Label(TrainedModel m) => m.Name == "sbd" ? "spatial broadcast" : "deconv";

    /// <summary>Inputs, reconstructions and, for the middle input, each latent swept with the others at its sampled code.</summary>
    static TraversalData Traversal(TrainedModel m, ImageDataset data, int[] picks, int seed)
    {
        float[][] inputs = picks.Select(i => DatasetImages.Chw(data, i)).ToArray();
        var sub = Subset(data, picks);
        using var images = m.Images(sub);
        float[] recon = m.Reconstruct(images);
        int per = 3 * m.ImageSize * m.ImageSize, k = m.Latent;
        float[] z = SampledCode(m, images, picks.Length / 2, seed);
        var codes = new float[k * Sweep.Length * k];
        for (int d = 0; d < k; d++)
            for (int s = 0; s < Sweep.Length; s++)
            {
                int row = d * Sweep.Length + s;
                Array.Copy(z, 0, codes, row * k, k);
                codes[row * k + d] = (float)Sweep[s];
            }
        float[] decoded = m.Decode(codes);
        var traversals = new float[k][][];
        for (int d = 0; d < k; d++)
            traversals[d] = Enumerable.Range(0, Sweep.Length)
                .Select(s => decoded.AsSpan((d * Sweep.Length + s) * per, per).ToArray()).ToArray();
        return new TraversalData(Label(m), inputs,
            Enumerable.Range(0, picks.Length).Select(i => recon.AsSpan(i * per, per).ToArray()).ToArray(),
            traversals, Sweep, m.ImageSize);
    }

    /// <summary>z = μ + σ·ε for one image, with ε from a generator seeded by <paramref name="seed"/>.</summary>
    static float[] SampledCode(TrainedModel m, TrainingImages images, int index, int seed)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator((ulong)seed);
        var (z, _, _) = m.Model.Encode(images.Range(index, 1), gen);
        return z.cpu().data<float>().ToArray();
    }

    /// <summary>frames[step][input][dim]: each input's μ with one coordinate set to the sweep value.</summary>
    static float[][][][] Animation(TrainedModel m, ImageDataset data, int[] picks)
    {
        using var images = m.Images(Subset(data, picks));
        var (mu, _) = m.Encode(images);
        int k = m.Latent, per = 3 * m.ImageSize * m.ImageSize;
        var codes = new float[Sweep.Length * picks.Length * k * k];
        int row = 0;
        for (int s = 0; s < Sweep.Length; s++)
            for (int i = 0; i < picks.Length; i++)
                for (int d = 0; d < k; d++, row++)
                {
                    Array.Copy(mu, i * k, codes, row * k, k);
                    codes[row * k + d] = (float)Sweep[s];
                }
        float[] decoded = m.Decode(codes);
        var frames = new float[Sweep.Length][][][];
        row = 0;
        for (int s = 0; s < Sweep.Length; s++)
        {
            frames[s] = new float[picks.Length][][];
            for (int i = 0; i < picks.Length; i++)
            {
                frames[s][i] = new float[k][];
                for (int d = 0; d < k; d++, row++) frames[s][i][d] = decoded.AsSpan(row * per, per).ToArray();
            }
        }
        return frames;
    }

    internal static ImageDataset Subset(ImageDataset data, int[] rows)
    {
        int per = data.Height * data.Width * data.Channels, f = data.NumFactors;
        var px = new byte[rows.Length * per];
        var values = new double[rows.Length * f];
        var classes = new long[rows.Length * f];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(data.Pixels, (long)rows[i] * per, px, (long)i * per, per);
            Array.Copy(data.FactorValues, (long)rows[i] * f, values, (long)i * f, f);
            Array.Copy(data.FactorClasses, (long)rows[i] * f, classes, (long)i * f, f);
        }
        return new ImageDataset(rows.Length, data.Height, data.Width, data.Channels, px, data.FactorNames, values, classes);
    }
}
