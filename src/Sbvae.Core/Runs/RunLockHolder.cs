using System.Globalization;

namespace Sbvae.Runs;

/// <summary>The process that holds a run folder's lock, as written in the lock file: one line of host, pid and start time.</summary>
public sealed record RunLockHolder(string Host, int Pid, DateTime StartedUtc)
{
    /// <summary>This process, now (to the second, as the line keeps it).</summary>
    public static RunLockHolder Current()
    {
        var now = DateTime.UtcNow;
        return new(Environment.MachineName, Environment.ProcessId, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
    }

    public string ToLine() =>
        $"host={Host} pid={Pid.ToString(CultureInfo.InvariantCulture)} started={StartedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";

    /// <summary>Null for a line that is not one this class wrote.</summary>
    public static RunLockHolder? Parse(string line)
    {
        var fields = line.Trim().Split(' ').Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        if (!fields.TryGetValue("host", out var host) || !fields.TryGetValue("pid", out var pidText) || !fields.TryGetValue("started", out var startedText)) return null;
        if (!int.TryParse(pidText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid)) return null;
        if (!DateTime.TryParseExact(startedText, "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var started)) return null;
        return new RunLockHolder(host, pid, started);
    }

    public override string ToString() =>
        $"pid {Pid} on host {Host}, started {StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC";
}
