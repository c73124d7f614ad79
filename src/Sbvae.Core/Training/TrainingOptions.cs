using Sbvae.Models;

namespace Sbvae.Training;

/// <summary>
/// The options of `sbvae train`, the one place they are declared: the command line, sweep plan
/// keys, `train --resume` and `import` are all made from this list. Defaults stay in
/// <see cref="ModelConfig"/> and <see cref="TrainConfig"/> with their reasons. A new option is a
/// field there plus an entry here. Not declared: the decoder (`--decoder` is train's own, since
/// compare and the experiments train both) and the image size (it is the dataset's).
/// </summary>
public static class TrainingOptions
{
    public static readonly TrainingOption<int> Epochs = Train("epochs", OptionKind.Integer, "Passes over the data (reference 150)",
        t => t.Epochs, (t, v) => t with { Epochs = v }, resumable: true);
    public static readonly TrainingOption<int?> Steps = Train("steps", OptionKind.Integer,
        "Optimizer steps to train for, instead of --epochs (the field's dSprites runs: 300000)",
        t => t.Steps, (t, v) => t with { Steps = v }, resumable: true);
    public static readonly TrainingOption<int?> LogEvery = Train("log-every", OptionKind.Integer,
        $"With --steps: steps per losses.csv row and progress line (default {TrainConfig.DefaultLogEvery})",
        t => t.LogEvery, (t, v) => t with { LogEvery = v });
    public static readonly TrainingOption<int> Latent = Model("latent", OptionKind.Integer, "Latent size k (reference 5)",
        m => m.Latent, (m, v) => m with { Latent = v }, ImportUse.Inferred("Latent size k; inferred from the weights, checked if given"));
    public static readonly TrainingOption<double> Variance = Model("variance", OptionKind.Number, "Fixed decoder variance σ_x² (reference 0.3)",
        m => m.Variance, (m, v) => m with { Variance = v }, ImportUse.Stated("Decoder variance σ_x² (not stored in the weights)"));
    public static readonly TrainingOption<double> Beta = Model("beta", OptionKind.Number, "KL weight β of betavae and betatcvae (reference 1)",
        m => m.Beta, (m, v) => m with { Beta = v }, ImportUse.Stated("KL weight β (not stored in the weights)"));
    public static readonly TrainingOption<int> Batch = Train("batch", OptionKind.Integer, "Batch size (reference 16)",
        t => t.Batch, (t, v) => t with { Batch = v });
    public static readonly TrainingOption<double> Lr = Train("lr", OptionKind.Number, "Adam learning rate (reference 3e-4)",
        t => t.LearningRate, (t, v) => t with { LearningRate = v }, alias: "learning_rate");
    public static readonly TrainingOption<int> Seed = Train("seed", OptionKind.Integer, "Seed of weights, shuffling and noise",
        t => t.Seed, (t, v) => t with { Seed = v });
    public static readonly TrainingOption<int> Threads = Train("threads", OptionKind.Integer, "libtorch threads (0 = one per core)",
        t => t.Threads, (t, v) => t with { Threads = v }, resumable: true);
    public static readonly TrainingOption<string> Device = Train("device", OptionKind.Text, "cpu or cuda",
        t => t.Device, (t, v) => t with { Device = v });
    public static readonly TrainingOption<string?> Dataset = Train("dataset", OptionKind.Path,
        "Images as .npz (imgs (N,H,W,3) uint8 + latents, or dSprites layout) or a folder of images; default: the built-in reference circles",
        t => t.Dataset, (t, v) => t with { Dataset = v });
    public static readonly TrainingOption<bool> Unpadded = Model("unpadded", OptionKind.Flag,
        "Spatial broadcast decoder without padding on a larger grid (the paper's variant)",
        m => m.Unpadded, (m, v) => m with { Unpadded = v }, ImportUse.Inferred("The paper's unpadded broadcast decoder (inferred from the grid size when present)"));
    public static readonly TrainingOption<int?> CheckpointEvery = Train("checkpoint-every", OptionKind.Integer,
        "Epochs between checkpoints (default 1); with --steps, steps (default: at every losses.csv row)",
        t => t.CheckpointEvery, (t, v) => t with { CheckpointEvery = v });
    public static readonly TrainingOption<string> Precision = Train("precision", OptionKind.Text,
        "Compute precision: fp32, bf16 or auto (bf16 where the CPU has native bf16; weights stay fp32)",
        t => t.Precision, (t, v) => t with { Precision = v }, resumable: true);
    public static readonly TrainingOption<int> ImgSize = Train("img-size", OptionKind.Integer,
        "Image folders: centre-crop and resize images to this side (a multiple of 16)",
        t => t.ImgSize, (t, v) => t with { ImgSize = v });
    public static readonly TrainingOption<int?> Channels = Train("channels", OptionKind.Integer,
        "Image folders: 1 (greyscale) or 3 (RGB); default: 1 when every image is grey",
        t => t.Channels, (t, v) => t with { Channels = v });
    public static readonly TrainingOption<bool> SkipBadImages = Train("skip-bad-images", OptionKind.Flag,
        "Image folders: leave out unreadable images (listed) instead of stopping",
        t => t.SkipBadImages, (t, v) => t with { SkipBadImages = v }, resumable: true);
    public static readonly TrainingOption<string?> CacheDir = Train("cache-dir", OptionKind.Path,
        "Where decoded images are cached (default $SBVAE_CACHE_DIR, else $XDG_CACHE_HOME/sbvae or ~/.cache/sbvae)",
        t => t.CacheDir, (t, v) => t with { CacheDir = v }, resumable: true);

    /// <summary>How a dataset folder is read, from the options of a command that takes --dataset.</summary>
    public static readonly IReadOnlyList<TrainingOption> Folder = [ImgSize, Channels, SkipBadImages, CacheDir];

    public static readonly TrainingOption<string> Objective = Model("objective", OptionKind.Text,
        "What is minimised besides the reconstruction: betavae (reference), factorvae, betatcvae, dipvae1, dipvae2 or annealed",
        m => m.Objective, (m, v) => m with { Objective = v });
    public static readonly TrainingOption<double?> Gamma = Model("gamma", OptionKind.Number,
        "factorvae's total-correlation weight γ (default 10); annealed's capacity weight (default 1000)",
        m => m.Gamma, (m, v) => m with { Gamma = v });
    public static readonly TrainingOption<double?> LambdaOd = Model("lambda-od", OptionKind.Number,
        "dipvae1/dipvae2's off-diagonal covariance weight λ_od (default 10)",
        m => m.LambdaOd, (m, v) => m with { LambdaOd = v });
    public static readonly TrainingOption<double?> LambdaD = Model("lambda-d", OptionKind.Number,
        "dipvae1/dipvae2's diagonal covariance weight λ_d (default 10·λ_od for dipvae1, λ_od for dipvae2)",
        m => m.LambdaD, (m, v) => m with { LambdaD = v });
    public static readonly TrainingOption<double?> CapacityMax = Model("capacity-max", OptionKind.Number,
        "annealed's final KL capacity C_max in nats (default 25)",
        m => m.CapacityMax, (m, v) => m with { CapacityMax = v });
    public static readonly TrainingOption<int?> CapacitySteps = Model("capacity-steps", OptionKind.Integer,
        "annealed: steps over which the capacity rises linearly from 0 to C_max (default: all of the run's steps)",
        m => m.CapacitySteps, (m, v) => m with { CapacitySteps = v });
    public static readonly TrainingOption<string> Likelihood = Model("likelihood", OptionKind.Text,
        "p(x|z): gaussian (reference; --variance), bernoulli (the decoder outputs logits) or laplace (--scale)",
        m => m.Likelihood, (m, v) => m with { Likelihood = v },
        ImportUse.Stated("The likelihood the weights were trained with (a bernoulli decoder outputs logits)"));
    public static readonly TrainingOption<double?> Scale = Model("scale", OptionKind.Number, "The laplace likelihood's scale b (default 0.3)",
        m => m.Scale, (m, v) => m with { Scale = v }, ImportUse.Stated("The laplace likelihood's scale b (not stored in the weights)"));

    /// <summary>In the order `train --help` lists them and a plan's error message names them.</summary>
    public static readonly IReadOnlyList<TrainingOption> All =
        [Epochs, Steps, LogEvery, Latent, Variance, Beta, Batch, Lr, Seed, Threads, Device, Dataset, ImgSize, Channels, SkipBadImages, CacheDir,
         Unpadded, CheckpointEvery, Precision, Objective, Gamma, LambdaOd, LambdaD, CapacityMax, CapacitySteps, Likelihood, Scale];

    static TrainingOption<T> Model<T>(string name, OptionKind kind, string description,
        Func<ModelConfig, T> get, Func<ModelConfig, T, ModelConfig> set, ImportUse? import = null) =>
        new(name, kind, description, isModel: true, c => get(c.Model), (c, v) => c with { Model = set(c.Model, v) }, import: import);

    // Only training options may be resumable: a resumed run keeps the model it has.
    static TrainingOption<T> Train<T>(string name, OptionKind kind, string description,
        Func<TrainConfig, T> get, Func<TrainConfig, T, TrainConfig> set, bool resumable = false, string? alias = null) =>
        new(name, kind, description, isModel: false, c => get(c.Train), (c, v) => c with { Train = set(c.Train, v) }, resumable, alias: alias);
}
