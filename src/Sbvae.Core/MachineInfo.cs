namespace Sbvae;

/// <summary>A one-line description of the machine, for reports and benchmarks.</summary>
public static class MachineInfo
{
    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                        return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static string Describe(int threads) =>
        $"{CpuModel()}, {Environment.ProcessorCount} cores, {threads} threads, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
}
