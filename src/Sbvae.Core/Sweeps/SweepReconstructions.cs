using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Experiments;
using Sbvae.Figures;

namespace Sbvae.Sweeps;

/// <summary>
/// PREFIX_reconstructions.png: one row per configuration (its first finished seed), the same few training
/// images and, beside them, the model's reconstructions (decoded μ), so configurations that differ in the
/// data (object size) or the model compare at a glance. The images are the same rows of each run's dataset;
/// a held-out experiment shows images from inside its region instead, which its runs never saw.
/// </summary>
public static class SweepReconstructions
{
    public const string Suffix = "_reconstructions.png";
    const int PerRow = 4;

    public static void Save(string png, SweepSummary s, string dir)
    {
        var images = new List<float[]>();
        var labels = new List<string>();
        int? side = null;
        foreach (var row in s.Rows)
        {
            var run = s.Runs.FirstOrDefault(r => r.Settings.Count == row.Settings.Count && r.Settings.Zip(row.Settings).All(p => p.First == p.Second));
            if (run is null) continue;
            using var model = TrainedModel.Load(SweepRunner.EntryDir(dir, run.Entry));
            var data = Shown(run.Entry, model);
            if (side is not null && data.Height != side) continue; // one grid holds one image size
            side = data.Height;
            // Evenly spread rows, shifted by one each so the innermost factor varies too.
            var picks = Enumerable.Range(0, Math.Min(PerRow, data.Count)).Select(i => (int)(((long)i * data.Count / PerRow + i) % data.Count)).ToArray();
            var chosen = data.Subset(picks);
            using var batch = model.Images(chosen);
            float[] recon = model.Reconstruct(batch);
            int per = 3 * data.Height * data.Width;
            images.AddRange(picks.Select((_, i) => DatasetImages.Chw(chosen, i)));
            images.AddRange(picks.Select((_, i) => recon.AsSpan(i * per, per).ToArray().Select(v => Math.Clamp(v, 0f, 1f)).ToArray()));
            labels.Add(s.FigureLabels[row.Label]);
        }
        if (side is not int size) return;
        ImageGrid.SavePng(png, images, size, 2 * PerRow, scale: size < 64 ? 2 : 1, rowLabels: labels);
    }

    /// <summary>The images a row draws from: the run's training set, or a held-out run's unseen region.</summary>
    internal static ImageDataset Shown(SweepEntry entry, TrainedModel model)
    {
        if (entry.Experiment != ExperimentKind.HeldOut) return model.LoadDataset();
        var full = ImageDataset.LoadOrReference(entry.Dataset, entry.Template.Train.FolderSettings());
        return ExperimentData.Build(ExperimentKind.HeldOut, entry.ExperimentOptions, full).HeldOut!;
    }
}
