using Sbvae.Engine;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Models;
using Sbvae.Reports;
using Sbvae.Training;

namespace Sbvae.Runs;

/// <summary>
/// `compare`: trains a deconv and a spatial broadcast model in DIR/deconv and DIR/sbd, then draws
/// every figure and writes report.md and report.html in DIR. Re-running it on the same folder
/// continues unfinished runs and skips finished ones.
/// </summary>
public static class Comparison
{
    /// <summary>Trains both models and writes the report; false if a training stopped early (each keeps its checkpoint).</summary>
    public static bool Run(ComparisonRequest request, IImageStore data, ComparisonProgress progress)
    {
        using var held = Lock(request);
        var runs = Train(request, data, progress);
        if (runs is null) return false;
        WriteReport(runs, data, request, progress);
        return true;
    }

    /// <summary>
    /// Locks DIR (figures, report) and both run folders for as long as the comparison runs, so
    /// that neither a second compare nor a `train --resume DIR/sbd` writes them meanwhile;
    /// null when the request says not to lock (--no-lock).
    /// </summary>
    public static IDisposable? Lock(ComparisonRequest request)
    {
        if (!request.Lock) return null;
        var locks = new List<RunLock>();
        try
        {
            locks.Add(RunLock.Take(request.Dir));
            foreach (var config in request.Configs) locks.Add(RunLock.Take(RunDir(request.Dir, config)));
            return new HeldLocks(locks);
        }
        catch
        {
            foreach (var l in locks) l.Dispose();
            throw;
        }
    }

    public static string RunDir(string dir, RunConfig config) => Path.Combine(dir, ModelConfig.Name(config.Model.Decoder));

    /// <summary>
    /// Trains (or continues) the request's models on <paramref name="data"/>; null, after every
    /// outcome is reported, if one stopped early. Where both runs split their batch into shares
    /// (<see cref="Trainer.SplitsBatchFor"/>) they train side by side, sharing the cores, with
    /// the same results as one after the other.
    /// </summary>
    public static List<TrainedModel>? Train(ComparisonRequest request, IImageStore data, ComparisonProgress progress)
    {
        var pending = request.Configs.Select(c => PendingRun.For(RunDir(request.Dir, c), c, data, progress.Note,
            request.TensorBoard ? TensorBoardLog.DefaultEvery : 0)).OfType<PendingRun>().ToList();
        bool together = pending.Count > 1 && !request.OneAtATime && pending.All(r => Trainer.SplitsBatchFor(r.Config.Train));
        bool completed = progress.WhileTraining(cancel => together ? TrainTogether(pending, progress, cancel) : TrainInTurn(pending, progress, cancel));
        if (!completed) return null;
        var runs = new List<TrainedModel>();
        try
        {
            foreach (var config in request.Configs) runs.Add(TrainedModel.Load(RunDir(request.Dir, config), config.Train.Device));
            return runs;
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
    public static void WriteReport(List<TrainedModel> runs, IImageStore data, ComparisonRequest request, ComparisonProgress progress,
        Func<ComparisonReport, ComparisonReport>? extend = null)
    {
        try
        {
            progress.Note("drawing figures and computing scores …");
            var sizes = request.Quick ? new MetricSizes().Scaled(0.2) : new MetricSizes();
            int seed = runs[0].Config.Train.Seed;
            // What a metric leaves out is the dataset's doing, the same for both models: said once.
            var said = new HashSet<string>();
            var report = ComparisonBuilder.Build(runs, data, request.Dir, request.CommandLine, request.Quick,
                m => ModelEvaluation.Evaluate(m, data, [.. MetricSuite.All, "geometry"], seed, sizes, n => { if (said.Add(n)) progress.Note($"note: {n}"); }));
            if (extend is not null) report = extend(report);
            ReportWriter.Write(report, request.Dir);
            progress.Note($"report: {Path.GetFullPath(Path.Combine(request.Dir, "report.html"))} (and report.md)");
        }
        finally
        {
            foreach (var r in runs) r.Dispose();
        }
    }

    /// <summary>Trains the runs one after the other, stopping at the first that does not complete.</summary>
    static bool TrainInTurn(List<PendingRun> pending, ComparisonProgress progress, CancellationToken cancel)
    {
        foreach (var r in pending)
        {
            var outcome = progress.Show([new ShownRun(r.Title, r.Config.Train, r.From,
                (step, epoch) => r.Train(step, epoch, cancel, null))])[0];
            progress.Finished(outcome);
            if (!outcome.Completed) return false;
        }
        return true;
    }

    /// <summary>
    /// Trains the runs at the same time, the cores divided between them; a run that finishes
    /// hands its cores to the others, and one that fails stops the others (each keeps its checkpoint).
    /// </summary>
    static bool TrainTogether(List<PendingRun> pending, ComparisonProgress progress, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var share = new CoreShare(pending[0].Config.Train.ThreadCount());
        var leases = pending.Select(_ => share.Join()).ToList();
        progress.Note($"training {string.Join(" and ", pending.Select(r => r.Title))} side by side on {share.Cores} threads; " +
            "a run that finishes hands its threads to the other (same results as --one-at-a-time)");
        var outcomes = progress.Show([.. pending.Select((r, i) => new ShownRun(r.Title, r.Config.Train, r.From, (step, epoch) =>
        {
            try { return r.Train(step, epoch, stop.Token, leases[i]); }
            catch { stop.Cancel(); throw; }
            finally { share.Leave(leases[i]); }
        }))]);
        foreach (var outcome in outcomes) progress.Finished(outcome);
        return outcomes.All(o => o.Completed);
    }

    sealed class HeldLocks(List<RunLock> locks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var l in locks) l.Dispose();
        }
    }
}
