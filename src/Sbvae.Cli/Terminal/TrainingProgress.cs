using Sbvae.Training;
using Spectre.Console;

namespace Sbvae.Cli.Terminal;

/// <summary>
/// Shows training progress: a live bar with the loss terms and throughput on a terminal,
/// one line per epoch when the output is a log or a pipe.
/// </summary>
public static class TrainingProgress
{
    public static TrainOutcome Run(string title, int epochs, int firstEpoch,
        Func<Action<StepProgress>, Action<EpochRecord>, TrainOutcome> train)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return train(_ => { }, r => Console.WriteLine(
                $"{title} epoch {r.Epoch}/{epochs}  kl {r.Kl:F3}  recon {r.Reconstruction:F3}  {r.Seconds:F1} s  {r.ImagesPerSecond:F0} img/s"));
        }
        TrainOutcome? outcome = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                     new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: epochs);
                task.Value = firstEpoch;
                double lastDraw = 0;
                outcome = train(s =>
                {
                    double at = s.Epoch + (double)s.Step / s.StepsPerEpoch;
                    if (at - lastDraw < 0.01 && s.Step != s.StepsPerEpoch) return;
                    lastDraw = at;
                    task.Value = at;
                    task.Description = $"{title} epoch {s.Epoch + 1}/{epochs} kl {s.Kl:F2} recon {s.Reconstruction:F2} {s.ImagesPerSecond:F0} img/s";
                }, r => AnsiConsole.MarkupLine(Markup.Escape(
                    $"{title} epoch {r.Epoch}/{epochs}  kl {r.Kl:F3}  recon {r.Reconstruction:F3}  {r.Seconds:F1} s  {r.ImagesPerSecond:F0} img/s")));
            });
        return outcome!;
    }
}
