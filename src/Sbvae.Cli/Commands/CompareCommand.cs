using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Cli.Terminal;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Models;
using Sbvae.Reports;
using Sbvae.Runs;
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
        options.AddTo(cmd, pair: true);
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
    /// Trains (or continues) a deconv and a spatial broadcast model on <paramref name="data"/>
    /// in DIR/deconv and DIR/sbd; <paramref name="adjust"/> may change the configuration (e.g. the
    /// dataset path an experiment wrote). Returns a non-zero code, and no runs, if training stopped.
    /// Where both runs split their batch into shares (<see cref="Trainer.SplitsBatchFor"/>) they
    /// train side by side, sharing the cores, with the same results as one after the other.
    /// </summary>
    internal static (int Code, List<TrainedModel> Runs) TrainBoth(ParseResult p, TrainOptions options, ImageDataset data, string dir, bool quick,
        Func<RunConfig, RunConfig>? adjust = null)
    {
        var planned = new List<(string Dir, RunConfig Config)>();
        foreach (var kind in new[] { DecoderKind.Deconv, DecoderKind.Sbd })
        {
            var config = options.ToConfig(p, kind, data.Height);
            if (quick && p.GetResult(options.Epochs) is null or { Implicit: true })
                config = config with { Train = config.Train with { Epochs = QuickEpochs } };
            if (adjust is not null) config = adjust(config);
            planned.Add((Path.Combine(dir, ModelConfig.Name(kind)), config));
        }
        var pending = planned.Select(r => Pending(r.Dir, r.Config, data)).OfType<PendingRun>().ToList();
        bool together = pending.Count > 1 && !p.GetValue(options.OneAtATime) && pending.All(r => Trainer.SplitsBatchFor(r.Config.Train));
        int code = together ? TrainTogether(pending) : TrainInTurn(pending);
        if (code != 0) return (code, []);
        var runs = new List<TrainedModel>();
        try
        {
            foreach (var (runDir, config) in planned) runs.Add(TrainedModel.Load(runDir, config.Train.Device));
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

    /// <summary>A run that still has epochs to train, and how to start or continue it.</summary>
    sealed record PendingRun(string Title, int FirstEpoch, RunConfig Config,
        Func<Action<StepProgress>, Action<EpochRecord>, CancellationToken, CoreShare.Lease?, TrainOutcome> Train);

    /// <summary>The run in <paramref name="runDir"/> to start or to continue; null if it is complete.</summary>
    static PendingRun? Pending(string runDir, RunConfig config, ImageDataset data)
    {
        string title = ModelConfig.Name(config.Model.Decoder);
        if (!File.Exists(Path.Combine(runDir, "checkpoint.safetensors")))
            return new PendingRun(title, 0, config, (step, epoch, cancel, cores) => TrainingSession.Start(runDir, config, data, step, epoch, cancel, cores));
        var run = RunFolder.Open(runDir);
        var existing = run.LoadCheckpoint();
        var continuation = new ResumeChanges(config.Train.Epochs, config.Train.Threads, config.Train.Precision);
        if (existing.Config.Model != config.Model || continuation.Apply(existing.Config.Train) != config.Train)
            throw new SbvaeException($"'{runDir}' holds a run with another configuration; choose another --out");
        if (existing.State.Epoch >= config.Train.Epochs)
        {
            Console.WriteLine($"{title}: already trained for {existing.State.Epoch} epochs in {runDir}");
            return null;
        }
        return new PendingRun(title, existing.State.Epoch, config,
            (step, epoch, cancel, cores) => TrainingSession.Resume(run, existing, data, continuation, step, epoch, cancel, cores));
    }

    /// <summary>Trains the runs one after the other, stopping at the first that does not complete.</summary>
    static int TrainInTurn(List<PendingRun> pending)
    {
        foreach (var r in pending)
        {
            using var interrupt = new Interrupt();
            var outcome = TrainingProgress.Run(r.Title, r.Config.Train.Epochs, r.FirstEpoch,
                (step, epoch) => r.Train(step, epoch, interrupt.Token, null));
            int code = TrainCommand.Report(outcome);
            if (code != 0) return code;
        }
        return 0;
    }

    /// <summary>
    /// Trains the runs at the same time, the cores divided between them; a run that finishes
    /// hands its cores to the others, and one that fails stops the others (each keeps its checkpoint).
    /// </summary>
    static int TrainTogether(List<PendingRun> pending)
    {
        using var interrupt = new Interrupt();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token);
        var share = new CoreShare(pending[0].Config.Train.ThreadCount());
        var leases = pending.Select(_ => share.Join()).ToList();
        Console.WriteLine($"training {string.Join(" and ", pending.Select(r => r.Title))} side by side on {share.Cores} threads; " +
            "a run that finishes hands its threads to the other (same results as --one-at-a-time)");
        var outcomes = TrainingProgress.RunTogether([.. pending.Select((r, i) => new ShownRun(r.Title, r.Config.Train.Epochs, r.FirstEpoch, (step, epoch) =>
        {
            try { return r.Train(step, epoch, stop.Token, leases[i]); }
            catch { stop.Cancel(); throw; }
            finally { share.Leave(leases[i]); }
        }))]);
        int code = 0;
        foreach (var outcome in outcomes)
        {
            int c = TrainCommand.Report(outcome);
            if (code == 0) code = c;
        }
        return code;
    }
}
