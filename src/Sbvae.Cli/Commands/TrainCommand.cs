using System.CommandLine;
using Sbvae.Cli.Terminal;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae train`: one VAE, reference recipe by default (SPEC §5), resumable.</summary>
public static class TrainCommand
{
    /// <param name="options">The training options to add (given by tests, to read the configuration a parse makes).</param>
    public static Command Create(TrainOptions? options = null)
    {
        var decoder = new Option<string>("--decoder") { Description = "sbd (spatial broadcast) or deconv", DefaultValueFactory = _ => "sbd" };
        var output = new Option<string?>("--out") { Description = "The run folder to create" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint" };
        var noLock = CommonOptions.NoLock();
        var noTensorBoard = CommonOptions.NoTensorBoard();
        options ??= new TrainOptions();
        var cmd = new Command("train", "Train a VAE with a spatial broadcast or deconvolutional decoder") { decoder, output, resume, noLock, noTensorBoard };
        options.AddTo(cmd);
        cmd.SetAction(p =>
        {
            using var interrupt = new Interrupt();
            TrainOutcome outcome;
            int board = CommonOptions.TensorBoardEvery(p.GetValue(noTensorBoard));
            if (p.GetValue(resume) is string runDir)
            {
                var run = Checkpoints.RunFolder.Open(runDir);
                // Locked before the checkpoint is read: another process may still be writing it.
                using var held = RunLock.TakeIf(!p.GetValue(noLock), run.Dir);
                var checkpoint = run.LoadCheckpoint();
                options.RefuseChanges(p, checkpoint.Config);
                var data = CommonOptions.OpenStore(p.GetValue(options.Dataset) ?? checkpoint.Config.Train.Dataset,
                    options.FolderSettings(p, checkpoint.Config.Train));
                using var closes = data as IDisposable;
                var changes = options.ResumeChanges(p);
                var train = changes.Apply(checkpoint.Config.Train);
                CommonOptions.WarnIfSlow(train);
                string title = ModelConfig.Name(checkpoint.Config.Model.Decoder);
                outcome = TrainingProgress.Run(title, train, checkpoint.State,
                    (step, epoch) => TrainingSession.Resume(run, checkpoint, data, changes, step, epoch, interrupt.Token, tensorboardEvery: board));
            }
            else
            {
                string dir = p.GetValue(output) ?? throw new SbvaeException("give --out RUN_DIR for a new run (or --resume RUN_DIR)");
                var kind = ModelConfig.ParseDecoder(p.GetValue(decoder)!);
                var data = CommonOptions.OpenStore(p.GetValue(options.Dataset), options.FolderSettings(p));
                using var closes = data as IDisposable;
                var config = options.ToConfig(p, kind, data.Height);
                CommonOptions.WarnIfSlow(config.Train);
                using var held = RunLock.TakeIf(!p.GetValue(noLock), dir);
                outcome = TrainingProgress.Run(ModelConfig.Name(kind), config.Train, null,
                    (step, epoch) => TrainingSession.Start(dir, config, data, step, epoch, interrupt.Token, tensorboardEvery: board));
            }
            return Report(outcome);
        });
        return cmd;
    }

    internal static int Report(TrainOutcome outcome)
    {
        if (!outcome.Completed)
        {
            Console.Error.WriteLine($"sbvae: interrupted; checkpoint saved at epoch {outcome.State.Epoch}, step {outcome.State.StepInEpoch}. Continue with: sbvae train --resume {outcome.Run.Dir}");
            return CliApp.Interrupted;
        }
        Console.WriteLine($"done: {Length(outcome.State)}; run folder {outcome.Run.Dir}");
        return 0;
    }

    /// <summary>How far training went (--steps can stop inside an epoch) and the last logged losses.</summary>
    internal static string Length(TrainingState s)
    {
        static string Epochs(int n) => n == 1 ? "1 epoch" : $"{n} epochs";
        string length = s.StepInEpoch == 0 ? $"{Epochs(s.Epoch)} ({s.GlobalStep} steps)"
            : s.Epoch == 0 ? $"{s.GlobalStep} steps (less than one epoch)"
            : $"{s.GlobalStep} steps ({Epochs(s.Epoch)} and {s.StepInEpoch} steps of the next)";
        return s.History.LastOrDefault() is { } last
            ? $"{length}, final kl {last.Kl:F3}, reconstruction {last.Reconstruction:F3}"
            : length;
    }
}
