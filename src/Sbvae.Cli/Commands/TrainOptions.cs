using System.CommandLine;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>The training options, shared by `train`, `compare` and the experiments.</summary>
public sealed class TrainOptions
{
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Passes over the data (reference 150)", DefaultValueFactory = _ => 150 };
    public Option<int> Latent { get; } = new("--latent") { Description = "Latent size k (reference 5)", DefaultValueFactory = _ => 5 };
    public Option<double> Variance { get; } = new("--variance") { Description = "Fixed decoder variance σ_x² (reference 0.3)", DefaultValueFactory = _ => 0.3 };
    public Option<double> Beta { get; } = new("--beta") { Description = "KL weight β (reference 1)", DefaultValueFactory = _ => 1.0 };
    public Option<int> Batch { get; } = new("--batch") { Description = "Batch size (reference 16)", DefaultValueFactory = _ => 16 };
    public Option<double> Lr { get; } = new("--lr") { Description = "Adam learning rate (reference 3e-4)", DefaultValueFactory = _ => 3e-4 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of weights, shuffling and noise", DefaultValueFactory = _ => 0 };
    public Option<int> Threads { get; } = CommonOptions.Threads();
    public Option<string> Device { get; } = CommonOptions.Device();
    public Option<string?> Dataset { get; } = CommonOptions.Dataset();
    public Option<bool> Unpadded { get; } = new("--unpadded") { Description = "Spatial broadcast decoder without padding on a larger grid (the paper's variant)" };
    public Option<int> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "Epochs between checkpoints", DefaultValueFactory = _ => 1 };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Epochs, Latent, Variance, Beta, Batch, Lr, Seed, Threads, Device, Dataset, Unpadded, CheckpointEvery })
            cmd.Options.Add(o);
    }

    public RunConfig ToConfig(ParseResult p, DecoderKind decoder, int imageSize)
    {
        string? dataset = p.GetValue(Dataset);
        var config = new RunConfig(
            new ModelConfig
            {
                Decoder = decoder,
                Latent = p.GetValue(Latent),
                ImageSize = imageSize,
                Variance = p.GetValue(Variance),
                Beta = p.GetValue(Beta),
                Unpadded = p.GetValue(Unpadded),
            },
            new TrainConfig
            {
                Epochs = p.GetValue(Epochs),
                Batch = p.GetValue(Batch),
                LearningRate = p.GetValue(Lr),
                Seed = p.GetValue(Seed),
                Threads = p.GetValue(Threads),
                Device = p.GetValue(Device)!,
                Dataset = dataset is null ? null : Path.GetFullPath(dataset),
                CheckpointEvery = p.GetValue(CheckpointEvery),
            });
        config.Model.Validate();
        config.Train.Validate();
        return config;
    }
}
