namespace Sbvae.Diagnostics;

/// <summary>Resident memory of this process from /proc/self/status (Linux); 0 where unavailable.</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size (VmRSS) in MB.</summary>
    public static double ResidentMb() => ReadKb("VmRSS:") / 1024.0;

    /// <summary>Peak resident set size since the process started (VmHWM) in MB.</summary>
    public static double PeakResidentMb() => ReadKb("VmHWM:") / 1024.0;

    /// <summary>Minor page faults of this process so far (field 10 of /proc/self/stat); 0 where unavailable.</summary>
    public static long MinorPageFaults()
    {
        try
        {
            if (!File.Exists("/proc/self/stat")) return 0;
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) "
            return long.Parse(fields[7]); // state is field 3, minflt field 10
        }
        catch (IOException) { }
        return 0;
    }

    static long ReadKb(string key)
    {
        try
        {
            if (!File.Exists("/proc/self/status")) return 0;
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        }
        catch (IOException) { }
        return 0;
    }
}
