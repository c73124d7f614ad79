namespace Sbvae.Training;

/// <summary>The training recipe; defaults are the reference (SPEC §5).</summary>
public sealed record TrainConfig
{
    /// <summary>150 epochs over 3675 images = 34,500 steps of 16, as the walk-through.</summary>
    public int Epochs { get; init; } = 150;
    /// <summary>Optimizer steps to train for instead of <see cref="Epochs"/> (null: train by epochs); the end need not fall on an epoch's end.</summary>
    public int? Steps { get; init; }
    /// <summary>A steps run: steps per losses.csv row and progress line (null: <see cref="DefaultLogEvery"/>).</summary>
    public int? LogEvery { get; init; }
    public int Batch { get; init; } = 16;
    /// <summary>Adam learning rate (the walk-through's 3e-4).</summary>
    public double LearningRate { get; init; } = 3e-4;
    /// <summary>Seeds initial weights, the per-epoch shuffle and the reparameterisation noise.</summary>
    public int Seed { get; init; }
    /// <summary>Intra-op threads for libtorch; 0 = one per core. Results are reproducible for a fixed count.</summary>
    public int Threads { get; init; }
    /// <summary><see cref="Threads"/> with 0 resolved to the machine's cores.</summary>
    public int ThreadCount() => Threads > 0 ? Threads : Environment.ProcessorCount;
    public string Device { get; init; } = "cpu";
    /// <summary>Path of the training images (.npz), or null for the built-in reference dataset.</summary>
    public string? Dataset { get; init; }
    /// <summary>
    /// Epochs between checkpoints, or steps in a steps run; null: every epoch, or at every losses.csv
    /// row of a steps run. One is also written at the end and on Ctrl+C.
    /// </summary>
    public int? CheckpointEvery { get; init; }
    /// <summary>fp32, bf16, or auto (bf16 where the CPU computes it natively). Compute only: weights stay fp32.</summary>
    public string Precision { get; init; } = "auto";
    /// <summary>An image folder's images are centre-cropped and resized to this side (64: the paper's size).</summary>
    public int ImgSize { get; init; } = 64;
    /// <summary>An image folder's channels, 1 or 3; null: 1 when every image is grey.</summary>
    public int? Channels { get; init; }
    /// <summary>An image folder's unreadable images are left out instead of stopping the command.</summary>
    public bool SkipBadImages { get; init; }
    /// <summary>Where decoded images are cached; null: <see cref="Data.DatasetCache.DefaultDir"/>.</summary>
    public string? CacheDir { get; init; }

    /// <summary>How <see cref="Dataset"/> is read when it is a folder of images.</summary>
    public Data.ImageFolderSettings FolderSettings() => new(ImgSize, Channels, SkipBadImages, CacheDir);

    /// <summary>A fixed default, not a share of the run, so a run resumed to more steps keeps its rows where an uninterrupted run has them.</summary>
    public const int DefaultLogEvery = 500;

    // Methods, not properties: config.json holds the fields only.
    public bool BySteps() => Steps is not null;
    /// <summary>Steps per losses.csv row of a steps run.</summary>
    public int RowSteps() => LogEvery ?? DefaultLogEvery;
    /// <summary>Steps (a steps run) or epochs between checkpoints.</summary>
    public int CheckpointInterval() => CheckpointEvery ?? (BySteps() ? RowSteps() : 1);

    /// <summary>Whether a run in <paramref name="state"/> has trained as long as this plans.</summary>
    public bool IsDone(TrainingState state) => Steps is int s ? state.GlobalStep >= s : state.Epoch >= Epochs;

    /// <summary>How far a run in <paramref name="state"/> has trained, in this run's unit: "3 of 10 epochs", "1500 of 3000 steps".</summary>
    public string Progress(TrainingState state) => Steps is int s ? $"{state.GlobalStep} of {s} steps" : $"{state.Epoch} of {Epochs} epochs";

    /// <summary>The run's length as it is said: "10 epochs", "3000 steps".</summary>
    public string Length() => Steps is int s ? $"{s} steps" : $"{Epochs} epochs";

    /// <summary>The checks between options, once all are set (<see cref="Validate"/> checks each alone, as a plan key is read).</summary>
    public void CheckTogether()
    {
        if (LogEvery is not null && !BySteps()) throw new SbvaeException("--log-every counts steps: it goes with --steps (an --epochs run logs every epoch)");
    }

    public void Validate()
    {
        if (Epochs < 1 || Epochs > 1_000_000) throw new SbvaeException($"epochs must be between 1 and 1000000, got {Epochs}");
        if (Batch < 1 || Batch > 65536) throw new SbvaeException($"batch size must be between 1 and 65536, got {Batch}");
        if (!(LearningRate > 0) || LearningRate > 10) throw new SbvaeException($"learning rate must be in (0, 10], got {LearningRate}");
        if (Threads < 0 || Threads > 1024) throw new SbvaeException($"threads must be between 0 and 1024, got {Threads}");
        if (Steps is < 1) throw new SbvaeException($"steps must be at least 1, got {Steps}");
        if (LogEvery is < 1) throw new SbvaeException($"--log-every must be at least 1 step, got {LogEvery}");
        if (CheckpointEvery is < 1) throw new SbvaeException($"checkpoint interval must be at least 1 {(BySteps() ? "step" : "epoch")}, got {CheckpointEvery}");
        if (Device is not ("cpu" or "cuda") && !Device.StartsWith("cuda:", StringComparison.Ordinal))
            throw new SbvaeException($"unknown device '{Device}' (use cpu or cuda)");
        if (Precision is not ("fp32" or "bf16" or "auto"))
            throw new SbvaeException($"unknown precision '{Precision}' (use fp32, bf16 or auto)");
        FolderSettings().Validate();
    }
}
