using System.CommandLine;
using Sbvae.Data;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `--dataset` with the options saying how a folder of images is read (--img-size, --channels,
/// --skip-bad-images, --cache-dir), for the commands that read a trained run's images. Those not given
/// keep the run's settings, so a run trained on a folder reads it back the same way.
/// </summary>
public sealed class DatasetOptions
{
    readonly IReadOnlyList<(TrainingOption Entry, Option Cli)> folder =
        [.. TrainingOptions.Folder.Select(o => (o, CliOption.For(o, withDefault: false)))];

    public Option<string?> Dataset { get; } = CommonOptions.Dataset();

    /// <param name="description">The command's own wording of --dataset (default: train's).</param>
    public DatasetOptions(string? description = null)
    {
        if (description is not null) Dataset.Description = description;
    }

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Dataset);
        foreach (var (_, option) in folder) cmd.Options.Add(option);
    }

    public string? Path(ParseResult p) => p.GetValue(Dataset);

    public ImageFolderSettings Folder(ParseResult p, TrainConfig kept) => Settings(p, folder, kept, Path(p) ?? kept.Dataset);

    /// <summary>
    /// <paramref name="kept"/>'s folder settings with those given on the command line put in; --img-size and
    /// --channels are refused unless <paramref name="path"/> is a folder (a file's images are what they are).
    /// </summary>
    public static ImageFolderSettings Settings(ParseResult p, IEnumerable<(TrainingOption Entry, Option Cli)> options,
        TrainConfig kept, string? path)
    {
        var config = RunConfig.Default with { Train = kept };
        foreach (var (entry, cli) in options)
        {
            if (!TrainingOptions.Folder.Contains(entry) || !CliOption.Given(p, cli)) continue;
            if ((entry == TrainingOptions.ImgSize || entry == TrainingOptions.Channels) && !(path is not null && Directory.Exists(path)))
                throw new SbvaeException($"{entry.Flag} applies to a folder of images only (--dataset DIR)");
            config = entry.With(config, CliOption.Value(p, entry, cli));
        }
        var settings = config.Train.FolderSettings();
        settings.Validate();
        return settings;
    }
}
