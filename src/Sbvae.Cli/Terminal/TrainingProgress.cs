using Sbvae.Runs;
using Sbvae.Training;
using Spectre.Console;

namespace Sbvae.Cli.Terminal;

/// <summary>
/// Shows training progress: a live bar per run with the loss terms and throughput on a
/// terminal, one line per losses.csv row (an epoch, or --log-every steps) when the output is a log or a pipe.
/// </summary>
public static class TrainingProgress
{
    /// <param name="from">The state a resumed run starts from; null for a new run.</param>
    public static TrainOutcome Run(string title, TrainConfig plan, TrainingState? from,
        Func<Action<StepProgress>, Action<EpochRecord>, TrainOutcome> train) =>
        RunTogether([new ShownRun(title, plan, from, train)])[0];

    /// <summary>
    /// Runs the trainings at the same time, each on a thread of its own, and waits for all of
    /// them; if one fails, its exception is rethrown once every run has returned.
    /// </summary>
    public static TrainOutcome[] RunTogether(IReadOnlyList<ShownRun> runs)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return Parallel(runs, (run, _) => run.Train(_ => { }, r => Console.WriteLine(EpochLine(run, r))));
        TrainOutcome[]? outcomes = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                     new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = runs.Select(run => ctx.AddTask(run.Title, maxValue: run.Total)).ToArray();
                for (int i = 0; i < runs.Count; i++) tasks[i].Value = runs[i].First;
                outcomes = Parallel(runs, (run, i) =>
                {
                    var task = tasks[i];
                    double lastDraw = 0;
                    return run.Train(s =>
                    {
                        double at = run.At(s);
                        if (at - lastDraw < 0.01 * Math.Max(1, run.Total / 100.0) && s.Step != s.StepsPerEpoch) return;
                        lastDraw = at;
                        task.Value = at;
                        task.Description = $"{run.Title} {Where(run, s)} kl {s.Kl:F2} recon {s.Reconstruction:F2} {s.ImagesPerSecond:F0} img/s";
                    }, r => AnsiConsole.MarkupLine(Markup.Escape(EpochLine(run, r))));
                });
            });
        return outcomes!;
    }

    static string Where(ShownRun run, StepProgress s) =>
        run.Plan.BySteps() ? $"step {s.GlobalStep}/{run.Total}" : $"epoch {s.Epoch + 1}/{run.Total}";

    /// <summary>A losses.csv row as a line: an epoch, or a steps run's --log-every steps.</summary>
    static string EpochLine(ShownRun run, EpochRecord r) =>
        $"{run.Title} {(run.Plan.BySteps() ? $"step {r.Step}/{run.Total} (epoch {r.Epoch})" : $"epoch {r.Epoch}/{run.Total}")}  kl {r.Kl:F3}  recon {r.Reconstruction:F3}  {r.Seconds:F1} s  {r.ImagesPerSecond:F0} img/s";

    /// <summary>One run on the calling thread; several each on a dedicated thread (each sets its own libtorch thread count).</summary>
    static TrainOutcome[] Parallel(IReadOnlyList<ShownRun> runs, Func<ShownRun, int, TrainOutcome> train)
    {
        if (runs.Count == 1) return [train(runs[0], 0)];
        var outcomes = new TrainOutcome[runs.Count];
        var errors = new Exception?[runs.Count];
        var threads = runs.Select((run, i) => new Thread(() =>
        {
            try { outcomes[i] = train(run, i); }
            catch (Exception e) { errors[i] = e; }
        }) { Name = $"sbvae training {run.Title}" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return outcomes;
    }
}
