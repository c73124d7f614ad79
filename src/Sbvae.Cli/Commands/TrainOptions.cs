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
    public Option<string> Precision { get; } = new("--precision") { Description = "Compute precision: fp32, bf16 or auto (bf16 where the CPU has native bf16; weights stay fp32)", DefaultValueFactory = _ => "auto" };
    /// <summary>Commands that train two models: train them one after the other even where they could share the cores.</summary>
    public Option<bool> OneAtATime { get; } = new("--one-at-a-time") { Description = "Train the two models one after the other, each on all threads (by default they train side by side where that gives the same results)" };

    /// <summary>Adds the options to <paramref name="cmd"/>; <paramref name="pair"/>: a command that trains two models.</summary>
    public void AddTo(Command cmd, bool pair = false)
    {
        foreach (var o in new Option[] { Epochs, Latent, Variance, Beta, Batch, Lr, Seed, Threads, Device, Dataset, Unpadded, CheckpointEvery, Precision })
            cmd.Options.Add(o);
        if (pair) cmd.Options.Add(OneAtATime);
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
                Precision = p.GetValue(Precision)!,
            });
        config.Model.Validate();
        config.Train.Validate();
        return config;
    }
}
