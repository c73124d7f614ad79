using System.Diagnostics;

namespace Sbvae.Cli.Commands;

/// <summary>Starts this program again as a worker process (bench measurements, sweep entries).</summary>
internal static class SelfProcess
{
    /// <summary>This program again: the apphost itself, or `dotnet sbvae.dll` when run through the dotnet host.</summary>
    public static ProcessStartInfo StartInfo()
    {
        string exe = Environment.ProcessPath ?? "dotnet";
        string name = Path.GetFileNameWithoutExtension(exe);
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (name == "sbvae")
        {
            start.FileName = exe;
        }
        else
        {
            start.FileName = name == "dotnet" ? exe : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            start.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        }
        return start;
    }
}
