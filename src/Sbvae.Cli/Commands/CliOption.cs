using System.CommandLine;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>System.CommandLine options made from the declared training options (<see cref="TrainingOptions"/>).</summary>
public static class CliOption
{
    /// <param name="description">Another command's wording (import's); default: the declared one.</param>
    /// <param name="withDefault">False for an option whose absence means something (import infers it).</param>
    public static Option<T> For<T>(TrainingOption<T> entry, string? description = null, bool withDefault = true)
    {
        var option = new Option<T>(entry.Flag) { Description = description ?? entry.Description };
        // A flag is off and a path absent unless given: help shows no default for either.
        if (withDefault && entry.Kind is not (OptionKind.Flag or OptionKind.Path) && entry.Default is not null)
        {
            T value = entry.Default;
            option.DefaultValueFactory = _ => value;
        }
        return option;
    }

    public static Option For(TrainingOption entry, string? description = null, bool withDefault = true) => entry switch
    {
        TrainingOption<int> o => For(o, description, withDefault),
        TrainingOption<double> o => For(o, description, withDefault),
        TrainingOption<int?> o => For(o, description, withDefault),
        TrainingOption<double?> o => For(o, description, withDefault),
        TrainingOption<bool> o => For(o, description, withDefault),
        TrainingOption<string> o => For(o, description, withDefault),
        _ => throw new NotSupportedException($"{entry.Flag}: no command-line form for {entry.GetType().Name}"),
    };

    /// <summary>The parsed value of <paramref name="option"/>, made for <paramref name="entry"/>; a path is made absolute (from the current folder).</summary>
    public static object? Value(ParseResult p, TrainingOption entry, Option option)
    {
        object? value = option switch
        {
            Option<int> o => p.GetValue(o),
            Option<double> o => p.GetValue(o),
            Option<int?> o => p.GetValue(o),
            Option<double?> o => p.GetValue(o),
            Option<bool> o => p.GetValue(o),
            Option<string> o => p.GetValue(o),
            _ => throw new NotSupportedException($"{option.Name}: unexpected option type {option.GetType().Name}"),
        };
        return entry.Kind == OptionKind.Path && value is string path ? Path.GetFullPath(path) : value;
    }

    /// <summary>The option is on the command line (not just at its default).</summary>
    public static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };
}
