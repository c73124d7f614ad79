using System.Diagnostics;
using System.Text.Json;

namespace Sbvae.Sweeps;

/// <summary>
/// A sweep run's CPU time (training and scoring, every thread of the process), summed over the times it was
/// started: a study's cost survives stops and restarts that a wrapping `time` would not.
/// </summary>
public static class RunCpuTime
{
    public const string File = "cpu.json";

    public static TimeSpan Now() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Adds <paramref name="spent"/> to the run folder's record (written atomically).</summary>
    public static void Add(string runDir, TimeSpan spent)
    {
        if (!Directory.Exists(runDir)) return;
        double total = (Read(runDir) ?? 0) + spent.TotalSeconds;
        AtomicFile.WriteAllText(Path.Combine(runDir, File), JsonSerializer.Serialize(new Dictionary<string, double> { ["cpu_seconds"] = total }) + "\n");
    }

    /// <summary>The recorded CPU seconds, or null when the run has no (readable) record.</summary>
    public static double? Read(string runDir)
    {
        string path = Path.Combine(runDir, File);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("cpu_seconds", out var v) && v.TryGetDouble(out double s) && s >= 0 ? s : null;
        }
        catch (JsonException) { return null; }
    }
}
