using System.Diagnostics;

namespace Sbvae.Tests;

/// <summary>Runs the sbvae command line, in-process (for exit codes and messages) or as a child process.</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Out, string Err);

    static readonly object ConsoleLock = new();

    public static Result Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o);
            Console.SetError(e);
            try { return new Result(Sbvae.Cli.Commands.CliApp.Run(args), o.ToString(), e.ToString()); }
            finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
        }
    }

    static ProcessStartInfo Info(string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sbvae.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    public static Process Start(string[] args) => Process.Start(Info(args))!;

    public static Result RunProcess(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = Info(args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using var p = Process.Start(info)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, outTask.Result, errTask.Result);
    }
}
