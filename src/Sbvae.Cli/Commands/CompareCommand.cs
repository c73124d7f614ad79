using System.CommandLine;
using Sbvae.Cli.Terminal;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae compare`: trains a deconv and a spatial broadcast model with the same data, seed and
/// recipe, then draws every figure and writes report.md and report.html (see <see cref="Comparison"/>).
/// </summary>
public static class CompareCommand
{
    /// <summary>
    /// The --quick preset: 5 epochs instead of 150 (about 3 minutes on 2 cores). It trades the
    /// final loss level and cleaner traversals for time; geometry and metrics already separate the decoders.
    /// </summary>
    public const int QuickEpochs = 5;

    public static Command Create()
    {
        var options = new TrainOptions();
        var quick = new Option<bool>("--quick") { Description = $"A preset that finishes in about five minutes: {QuickEpochs} epochs (unless --epochs is given)" };
        var output = CommonOptions.Out("Folder for both runs, the figures and the report");
        var noLock = CommonOptions.NoLock();
        var noTensorBoard = CommonOptions.NoTensorBoard();
        var cmd = new Command("compare", "Train a deconv and a spatial broadcast model and write a report comparing them") { quick, output, noLock, noTensorBoard };
        options.AddTo(cmd, pair: true);
        cmd.SetAction(p =>
        {
            string dir = p.GetValue(output)!;
            if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
            var data = CommonOptions.OpenStore(p.GetValue(options.Dataset), options.FolderSettings(p));
            using var closes = data as IDisposable;
            var request = Request(p, options, noLock, noTensorBoard, dir, data.Height, p.GetValue(quick));
            return Comparison.Run(request, data, Progress()) ? 0 : CliApp.Interrupted;
        });
        return cmd;
    }

    /// <summary>The two configurations the options give (--quick: <see cref="QuickEpochs"/> unless --epochs is given), and how to train them.</summary>
    internal static ComparisonRequest Request(ParseResult p, TrainOptions options, Option<bool> noLock, Option<bool> noTensorBoard, string dir, int imageSize, bool quick)
    {
        var configs = new List<RunConfig>();
        foreach (var kind in new[] { DecoderKind.Deconv, DecoderKind.Sbd })
        {
            var config = options.ToConfig(p, kind, imageSize);
            if (quick && p.GetResult(options.Of(TrainingOptions.Epochs)) is null or { Implicit: true })
                config = config with { Train = config.Train with { Epochs = QuickEpochs } };
            configs.Add(config);
        }
        CommonOptions.WarnIfSlow(configs[0].Train);
        return new ComparisonRequest(dir, configs, quick, p.GetValue(options.OneAtATime),
            "sbvae " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), Lock: !p.GetValue(noLock),
            TensorBoard: !p.GetValue(noTensorBoard));
    }

    /// <summary>Progress on the terminal; Ctrl+C or SIGTERM while training saves checkpoints and stops.</summary>
    internal static ComparisonProgress Progress() => new()
    {
        Note = line => Console.WriteLine(line),
        Show = TrainingProgress.RunTogether,
        Finished = outcome => TrainCommand.Report(outcome),
        WhileTraining = train =>
        {
            using var interrupt = new Interrupt();
            return train(interrupt.Token);
        },
    };
}
