using Sbvae.Data;
using System.CommandLine;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>The training options, shared by `train`, `compare` and the experiments: one per declared <see cref="TrainingOption"/>.</summary>
public sealed class TrainOptions
{
    readonly IReadOnlyList<(TrainingOption Entry, Option Cli)> declared = [.. TrainingOptions.All.Select(o => (o, CliOption.For(o)))];

    /// <summary>Read before the configuration is made, to load the images.</summary>
    public Option<string?> Dataset => Of(TrainingOptions.Dataset);
    /// <summary>Commands that train two models: train them one after the other even where they could share the cores.</summary>
    public Option<bool> OneAtATime { get; } = new("--one-at-a-time") { Description = "Train the two models one after the other, each on all threads (by default they train side by side where that gives the same results)" };

    /// <summary>The command-line option made for <paramref name="entry"/>.</summary>
    public Option<T> Of<T>(TrainingOption<T> entry) => (Option<T>)declared.Single(d => d.Entry == entry).Cli;

    /// <summary>Adds the options to <paramref name="cmd"/>; <paramref name="pair"/>: a command that trains two models.</summary>
    public void AddTo(Command cmd, bool pair = false)
    {
        foreach (var (_, option) in declared) cmd.Options.Add(option);
        if (pair) cmd.Options.Add(OneAtATime);
    }

    public RunConfig ToConfig(ParseResult p, DecoderKind decoder, int imageSize)
    {
        var config = RunConfig.Default with { Model = RunConfig.Default.Model with { Decoder = decoder, ImageSize = imageSize } };
        if (CliOption.Given(p, Of(TrainingOptions.Epochs)) && CliOption.Given(p, Of(TrainingOptions.Steps)))
            throw new SbvaeException("give --epochs or --steps, not both");
        foreach (var (entry, option) in declared) config = entry.With(config, CliOption.Value(p, entry, option));
        config.Model.Validate();
        config.Model.CheckHyperparameters();
        config.Train.Validate();
        config.Train.CheckTogether();
        return config;
    }

    /// <summary>
    /// Refuses an option given with `--resume` that would change what the run learns (its objective,
    /// hyperparameters, recipe): a run keeps them for good. The dataset may be given (it may have moved).
    /// </summary>
    public void RefuseChanges(ParseResult p, RunConfig run)
    {
        foreach (var (entry, option) in declared)
        {
            if (entry.Resumable || entry == TrainingOptions.Dataset || !CliOption.Given(p, option)) continue;
            object? given = CliOption.Value(p, entry, option), kept = entry.ValueIn(run);
            if (!Equals(given, kept))
                throw new SbvaeException($"{entry.Flag} cannot change when a run resumes: it was trained with {entry.Flag} {Shown(kept)}");
        }
    }

    static string Shown(object? value) => value switch
    {
        null => "at its default",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "on" : "off",
        _ => value.ToString() ?? "",
    };

    /// <summary>How a folder given as --dataset is read: the options given, else those of <paramref name="kept"/> (a resumed run's) or the defaults.</summary>
    public ImageFolderSettings FolderSettings(ParseResult p, TrainConfig? kept = null) =>
        DatasetOptions.Settings(p, declared, kept ?? RunConfig.Default.Train, p.GetValue(Dataset) ?? kept?.Dataset);

    /// <summary>The resumable options that are on the command line; the others keep the run's settings.</summary>
    public ResumeChanges ResumeChanges(ParseResult p) => declared
        .Where(d => d.Entry.Resumable && CliOption.Given(p, d.Cli))
        .Aggregate(Training.ResumeChanges.None, (changes, d) => changes.Set(d.Entry, CliOption.Value(p, d.Entry, d.Cli)));
}
