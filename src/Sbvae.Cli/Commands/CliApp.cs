using System.CommandLine;

namespace Sbvae.Cli.Commands;

/// <summary>
/// The `sbvae` command line. Exit codes: 0 success, 2 bad input (one-line message, no stack
/// trace; also a run folder another process is training), 130 interrupted (a checkpoint was
/// saved), 75 sweep entries skipped because another process holds them, 1 an unexpected internal error.
/// </summary>
public static class CliApp
{
    public const int BadInput = 2;
    public const int Interrupted = 130;
    /// <summary>EX_TEMPFAIL from sysexits.h: nothing failed, but the task did not run; try again later.</summary>
    public const int InUse = 75;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("sbvae: spatial broadcast VAEs: generate data, train, compare, evaluate.");
        root.Subcommands.Add(GeneratePreset.AddTo(GenerateCommand.Create()));
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EncodeCommand.Create());
        root.Subcommands.Add(ReconstructCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ProfileCommand.Create());
        root.Subcommands.Add(FiguresCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(AggregateCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ExploreCommand.Create());
        return root;
    }

    public static int Run(string[] args)
    {
        if (Environment.GetEnvironmentVariable(BenchCommand.PlainAllocatorVariable) is null) Engine.NativeAllocator.Tune();
        ParseResult parsed = BuildRoot().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // An unknown word says more than "required command was not provided".
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            Console.Error.WriteLine($"sbvae: {error.Message} (see sbvae --help)");
            return BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (SbvaeException e)
        {
            Console.Error.WriteLine($"sbvae: error: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("SBVAE_DEBUG") is null)
        {
            Console.Error.WriteLine($"sbvae: internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]} (set SBVAE_DEBUG=1 for details)");
            return 1;
        }
    }
}
