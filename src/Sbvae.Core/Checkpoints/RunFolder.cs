using System.Globalization;
using System.Text;
using Sbvae.Training;

namespace Sbvae.Checkpoints;

/// <summary>
/// A run's folder: config.json (the resolved configuration), losses.csv (averages per epoch, or per --log-every steps)
/// and checkpoint.safetensors (the latest checkpoint). Every file is written atomically.
/// </summary>
public sealed class RunFolder
{
    public string Dir { get; }
    public string ConfigPath => Path.Combine(Dir, "config.json");
    public string LossesPath => Path.Combine(Dir, "losses.csv");
    public string CheckpointPath => Path.Combine(Dir, "checkpoint.safetensors");

    RunFolder(string dir) => Dir = dir;

    /// <summary>A new run; refuses a folder that already holds one so no result is overwritten.</summary>
    public static RunFolder Create(string dir)
    {
        if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
        var run = new RunFolder(dir);
        if (File.Exists(run.CheckpointPath))
            throw new SbvaeException($"'{dir}' already holds a run; resume it with --resume {dir} or choose another --out");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot create run folder '{dir}': {e.Message}");
        }
        return run;
    }

    /// <summary>An existing run, with its checkpoint validated.</summary>
    public static RunFolder Open(string dir)
    {
        if (File.Exists(dir) && dir.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            dir = Path.GetDirectoryName(Path.GetFullPath(dir)) ?? ".";
        if (!Directory.Exists(dir)) throw new SbvaeException($"run folder not found: {dir}");
        var run = new RunFolder(dir);
        if (!File.Exists(run.CheckpointPath)) throw new SbvaeException($"'{dir}' is not a run folder: it has no checkpoint.safetensors");
        return run;
    }

    public Checkpoint LoadCheckpoint() => Checkpoint.Load(CheckpointPath);

    public void WriteConfig(RunConfig config) => AtomicFile.WriteAllText(ConfigPath, config.ToJson() + "\n");

    public void WriteLosses(IReadOnlyList<EpochRecord> history)
    {
        // Then every other term the run logs: mse (the mean image's squared error per pixel, whatever the
        // likelihood) and the objective's own (tc, capacity, dip, the discriminator's loss and accuracy).
        var terms = history.SelectMany(r => r.Terms.Keys).Distinct().OrderBy(k => k == "mse" ? "" : k, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder(string.Join(",", ["epoch", "step", "kl", "reconstruction", "loss", "seconds", "images_per_second", .. terms]) + "\n");
        foreach (var r in history)
            sb.AppendLine(string.Join(",", [r.Epoch.ToString(CultureInfo.InvariantCulture),
                // Rows of runs from before the step was logged have none.
                r.Step > 0 ? r.Step.ToString(CultureInfo.InvariantCulture) : "",
                F(r.Kl), F(r.Reconstruction), F(r.Loss), F(r.Seconds), F(r.ImagesPerSecond),
                .. terms.Select(t => r.Terms.TryGetValue(t, out double v) ? F(v) : "")]));
        AtomicFile.WriteAllText(LossesPath, sb.ToString());
    }

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
