using Sbvae.Data;
using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Diagnostics;

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

    /// <param name="options">The engine's levers; by default those of <paramref name="precision"/>.</param>
    /// <param name="objective">The training objective (default the reference β-VAE).</param>
    public ReferenceRun(DecoderKind decoder, int latent, int batch, string precision, EngineOptions? options = null, string objective = "betavae")
    {
        Images = TrainingImages.From(ImageDataset.Reference(), CPU);
        Config = new ModelConfig { Decoder = decoder, Latent = latent, ImageSize = Images.Size, Objective = objective };
        var train = new TrainConfig { Epochs = 1_000_000, Batch = batch, Seed = 1, Precision = precision };
        Model = ModelBuilder.Build(Config, train.Seed, CPU);
        Trainer = new Trainer(Model, Images, train, options: options);
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
