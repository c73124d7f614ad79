using System.CommandLine;
using Sbvae.Data;
using Sbvae.Experiments;
using Sbvae.Reports;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae experiment heldout|small|dependent`: the paper's experiments beyond the reference
/// comparison. Each builds its dataset (written to DIR/train.npz so the runs can be resumed
/// and inspected), trains both decoders like `compare`, and writes report.html/md with a
/// section of its own. Figures and scores use the full independent factor grid.
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
        var cmd = new Command(ExperimentData.Name(kind), description) { quick, output };
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
            var data = ExperimentData.Build(kind, settings, basePath is null ? null : CommonOptions.LoadDataset(basePath));
            Directory.CreateDirectory(dir);
            string trainPath = Path.GetFullPath(Path.Combine(dir, "train.npz"));
            if (!File.Exists(trainPath)) data.Train.Save(trainPath);
            else if (!SameRows(ImageDataset.Load(trainPath), data.Train))
                throw new SbvaeException($"'{dir}' holds another experiment's training set; choose another --out");
            if (data.HeldOut is not null && !File.Exists(Path.Combine(dir, "heldout.npz"))) data.HeldOut.Save(Path.Combine(dir, "heldout.npz"));
            Console.WriteLine($"{ExperimentData.Name(kind)}: {data.Description}");

            bool isQuick = p.GetValue(quick);
            var (code, runs) = CompareCommand.TrainBoth(p, options, data.Train, dir, isQuick,
                c => c with { Train = c.Train with { Dataset = trainPath } });
            if (code != 0) return code;
            return CompareCommand.WriteReport(runs, data.Full, dir, isQuick, report => report with
            {
                Title = Title(kind),
                Sections =
                [
                    kind == ExperimentKind.HeldOut
                        ? HeldOutAnalysis.Build(runs, data, settings.Region, Path.Combine(dir, "figures")).Section
                        : ExperimentSections.For(kind, data, report.Models),
                ],
            });
        });
        return cmd;
    }

    /// <summary>A folder's earlier training set is this one when the same factor rows are in it (the images follow from them).</summary>
    static bool SameRows(ImageDataset a, ImageDataset b) =>
        a.Count == b.Count && a.FactorClasses.AsSpan().SequenceEqual(b.FactorClasses) && a.FactorValues.AsSpan().SequenceEqual(b.FactorValues);

    static string Title(ExperimentKind kind) => kind switch
    {
        ExperimentKind.HeldOut => "Held-out region: spatial broadcast vs deconv decoder",
        ExperimentKind.Small => "Small objects: spatial broadcast vs deconv decoder",
        _ => "Dependent factors: spatial broadcast vs deconv decoder",
    };
}
