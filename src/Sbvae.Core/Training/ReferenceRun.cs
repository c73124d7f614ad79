using Sbvae.Data;
using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>
/// A model and trainer on the built-in reference data, for measuring training (`sbvae bench`,
/// `sbvae profile`): warm-up steps, then the measured ones.
/// </summary>
internal sealed class ReferenceRun : IDisposable
{
    public TrainingImages Images { get; }
    public ModelConfig Config { get; }
    public Vae Model { get; }
    public Trainer Trainer { get; }

    public ReferenceRun(DecoderKind decoder, int latent, int batch, string precision)
    {
        Images = TrainingSetup.ToTrainingImages(ImageDataset.Reference(), CPU);
        Config = new ModelConfig { Decoder = decoder, Latent = latent, ImageSize = Images.Size };
        var train = new TrainConfig { Epochs = 1_000_000, Batch = batch, Seed = 1, Precision = precision };
        Model = TrainingSetup.BuildModel(Config, train.Seed, CPU);
        Trainer = new Trainer(Model, Images, train);
    }

    /// <summary>
    /// Trains at least <paramref name="warmup"/> steps for at least <paramref name="minWarmup"/>, then <paramref name="steps"/>
    /// more; <paramref name="measuring"/> runs just before the first measured one.
    /// </summary>
    public void Run(int warmup, int steps, TimeSpan minWarmup, Action measuring)
    {
        using var cancel = new CancellationTokenSource();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0, measuredFrom = -1;
        void Count(StepProgress _)
        {
            done++;
            if (measuredFrom < 0 && done >= warmup && clock.Elapsed >= minWarmup)
            {
                measuredFrom = done;
                measuring();
            }
            if (measuredFrom >= 0 && done == measuredFrom + steps) cancel.Cancel();
        }
        Trainer.StepCompleted += Count;
        try
        {
            if (warmup == 0 && minWarmup <= TimeSpan.Zero)
            {
                measuredFrom = 0;
                measuring();
            }
            Trainer.Run(cancel.Token);
        }
        finally { Trainer.StepCompleted -= Count; }
    }

    public void Dispose()
    {
        Trainer.Dispose();
        Model.Dispose();
        Images.Dispose();
    }
}
