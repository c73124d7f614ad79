using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Cli.Terminal;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Models;
using Sbvae.Reports;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae compare`: trains a deconv and a spatial broadcast model with the same data, seed and
/// recipe, then draws every figure and writes report.md and report.html. Re-running it on
/// the same folder continues unfinished runs and skips finished ones.
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
        var cmd = new Command("compare", "Train a deconv and a spatial broadcast model and write a report comparing them") { quick, output };
        options.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string dir = p.GetValue(output)!;
            if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
            bool isQuick = p.GetValue(quick);
            var data = CommonOptions.LoadDataset(p.GetValue(options.Dataset));
            var (code, runs) = TrainBoth(p, options, data, dir, isQuick);
            return code != 0 ? code : WriteReport(runs, data, dir, isQuick);
        });
        return cmd;
    }

    /// <summary>
    /// Trains (or continues) a deconv and then a spatial broadcast model on <paramref name="data"/>
    /// in DIR/deconv and DIR/sbd; <paramref name="adjust"/> may change the configuration (e.g. the
    /// dataset path an experiment wrote). Returns a non-zero code, and no runs, if training stopped.
    /// </summary>
    internal static (int Code, List<TrainedModel> Runs) TrainBoth(ParseResult p, TrainOptions options, ImageDataset data, string dir, bool quick,
        Func<RunConfig, RunConfig>? adjust = null)
    {
        var runs = new List<TrainedModel>();
        try
        {
            foreach (var kind in new[] { DecoderKind.Deconv, DecoderKind.Sbd })
            {
                var config = options.ToConfig(p, kind, data.Height);
                if (quick && p.GetResult(options.Epochs) is null or { Implicit: true })
                    config = config with { Train = config.Train with { Epochs = QuickEpochs } };
                if (adjust is not null) config = adjust(config);
                string runDir = Path.Combine(dir, ModelConfig.Name(kind));
                int code = TrainOrContinue(runDir, config, data);
                if (code != 0)
                {
                    foreach (var r in runs) r.Dispose();
                    return (code, []);
                }
                runs.Add(TrainedModel.Load(runDir, config.Train.Device));
            }
            return (0, runs);
        }
        catch
        {
            foreach (var r in runs) r.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Draws the figures, scores the trained pair on <paramref name="data"/>, lets
    /// <paramref name="extend"/> add to the report, writes it, and disposes the runs.
    /// </summary>
    internal static int WriteReport(List<TrainedModel> runs, ImageDataset data, string dir, bool quick,
        Func<ComparisonReport, ComparisonReport>? extend = null)
    {
        try
        {
            Console.WriteLine("drawing figures and computing scores …");
            var sizes = quick ? new MetricSizes().Scaled(0.2) : new MetricSizes();
            int seed = runs[0].Config.Train.Seed;
            var report = ComparisonBuilder.Build(runs, data, dir, "sbvae " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), quick,
                m => ModelEvaluation.Evaluate(m, data, MetricSuite.All, seed, sizes));
            if (extend is not null) report = extend(report);
            ReportWriter.Write(report, dir);
            Console.WriteLine($"report: {Path.GetFullPath(Path.Combine(dir, "report.html"))} (and report.md)");
            return 0;
        }
        finally
        {
            foreach (var r in runs) r.Dispose();
        }
    }

    /// <summary>Starts the run, continues it if it was interrupted, or leaves it if it is complete.</summary>
    static int TrainOrContinue(string runDir, RunConfig config, ImageDataset data)
    {
        string title = ModelConfig.Name(config.Model.Decoder);
        using var interrupt = new Interrupt();
        TrainOutcome outcome;
        if (File.Exists(Path.Combine(runDir, "checkpoint.safetensors")))
        {
            var run = RunFolder.Open(runDir);
            var existing = run.LoadCheckpoint();
            var continuation = new ResumeChanges(config.Train.Epochs, config.Train.Threads, config.Train.Precision);
            if (existing.Config.Model != config.Model || continuation.Apply(existing.Config.Train) != config.Train)
                throw new SbvaeException($"'{runDir}' holds a run with another configuration; choose another --out");
            if (existing.State.Epoch >= config.Train.Epochs)
            {
                Console.WriteLine($"{title}: already trained for {existing.State.Epoch} epochs in {runDir}");
                return 0;
            }
            outcome = TrainingProgress.Run(title, config.Train.Epochs, existing.State.Epoch,
                (step, epoch) => TrainingSession.Resume(run, existing, data, continuation, step, epoch, interrupt.Token));
        }
        else
        {
            outcome = TrainingProgress.Run(title, config.Train.Epochs, 0,
                (step, epoch) => TrainingSession.Start(runDir, config, data, step, epoch, interrupt.Token));
        }
        return TrainCommand.Report(outcome);
    }
}
