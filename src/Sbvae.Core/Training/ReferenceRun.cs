using Sbvae.Data;
using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>
/// A model and trainer on the built-in reference data, for measuring training (`sbvae bench`,
/// `sbvae profile`): a number of warm-up steps, then the measured ones.
/// </summary>
internal sealed class ReferenceRun : IDisposable
{
    public TrainingImages Images { get; }
    public ModelConfig Config { get; }
    public Vae Model { get; }
    public Trainer Trainer { get; }

    public ReferenceRun(DecoderKind decoder, int latent, int batch, string precision)
    {
        Images = TrainingSession.ToTrainingImages(ImageDataset.Reference(), CPU);
        Config = new ModelConfig { Decoder = decoder, Latent = latent, ImageSize = Images.Size };
        var train = new TrainConfig { Epochs = 1_000_000, Batch = batch, Seed = 1, Precision = precision };
        Model = TrainingSession.BuildModel(Config, train.Seed, CPU);
        Trainer = new Trainer(Model, Images, train);
    }

    /// <summary>Trains <paramref name="warmup"/> + <paramref name="steps"/> steps; <paramref name="measuring"/> runs just before the first measured one.</summary>
    public void Run(int warmup, int steps, Action measuring)
    {
        using var cancel = new CancellationTokenSource();
        int done = 0;
        void Count(StepProgress _)
        {
            if (++done == warmup) measuring();
            if (done == warmup + steps) cancel.Cancel();
        }
        Trainer.StepCompleted += Count;
        try
        {
            if (warmup == 0) measuring();
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
