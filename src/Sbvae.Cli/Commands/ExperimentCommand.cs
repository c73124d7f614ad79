using System.CommandLine;
using Sbvae.Data;
using Sbvae.Experiments;
using Sbvae.Runs;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae experiment heldout|small|dependent`: the paper's experiments beyond the reference
/// comparison (see <see cref="ExperimentRun"/>).
/// </summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var cmd = new Command("experiment", "Run one of the paper's experiments with both decoders and write a report");
        cmd.Subcommands.Add(Sub(ExperimentKind.HeldOut, "Train without a region of the x–y plane; compare reconstruction inside vs outside it"));
        cmd.Subcommands.Add(Sub(ExperimentKind.Small, "Objects a few pixels wide"));
        cmd.Subcommands.Add(Sub(ExperimentKind.Dependent, "Colour correlated with position in the training data"));
        return cmd;
    }

    static Command Sub(ExperimentKind kind, string description)
    {
        var defaults = new ExperimentOptions();
        var options = new TrainOptions();
        var quick = new Option<bool>("--quick") { Description = $"{CompareCommand.QuickEpochs} epochs (unless --epochs is given) and smaller metric samples" };
        var output = CommonOptions.Out("Folder for the dataset, both runs, the figures and the report");
        var region = new Option<string>("--region") { Description = "Held-out rectangle of factor values x0,x1,y0,y1", DefaultValueFactory = _ => "0.35,0.65,0.35,0.65" };
        var size = new Option<int>("--object-size") { Description = "Object size in pixels", DefaultValueFactory = _ => defaults.ObjectSize };
        var strength = new Option<double>("--strength") { Description = "Probability of dropping an image whose colour is not its x band's (0 independent … 1 determined)", DefaultValueFactory = _ => defaults.Strength };
        var noLock = CommonOptions.NoLock();
        var noTensorBoard = CommonOptions.NoTensorBoard();
        var cmd = new Command(ExperimentData.Name(kind), description) { quick, output, noLock, noTensorBoard };
        if (kind == ExperimentKind.HeldOut) cmd.Options.Add(region);
        if (kind == ExperimentKind.Small) cmd.Options.Add(size);
        if (kind == ExperimentKind.Dependent) cmd.Options.Add(strength);
        options.AddTo(cmd, pair: true);
        cmd.SetAction(p =>
        {
            string dir = p.GetValue(output)!;
            if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
            var settings = new ExperimentOptions
            {
                Region = kind == ExperimentKind.HeldOut ? FactorRegion.Parse(p.GetValue(region)!) : defaults.Region,
                ObjectSize = kind == ExperimentKind.Small ? p.GetValue(size) : defaults.ObjectSize,
                Strength = kind == ExperimentKind.Dependent ? p.GetValue(strength) : defaults.Strength,
                Seed = p.GetValue(options.Of(Training.TrainingOptions.Seed)),
            };
            string? basePath = p.GetValue(options.Dataset);
            if (kind == ExperimentKind.Small && basePath is not null)
                throw new SbvaeException("experiment small renders its own dataset; leave out --dataset");
            var data = ExperimentData.Build(kind, settings, basePath is null ? null : CommonOptions.LoadDataset(basePath, options.FolderSettings(p)));
            var request = CompareCommand.Request(p, options, noLock, noTensorBoard, dir, data.Train.Height, p.GetValue(quick));
            return ExperimentRun.Run(kind, data, settings.Region, request, CompareCommand.Progress()) ? 0 : CliApp.Interrupted;
        });
        return cmd;
    }
}
