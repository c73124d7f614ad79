using System.CommandLine;
using Sbvae.Data;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>Options several commands share, created fresh per command; those that are training options come from their declaration.</summary>
public static class CommonOptions
{
    public static Option<string?> Dataset() => CliOption.For(TrainingOptions.Dataset);

    public static Option<string> Out(string description) => new("--out")
    {
        Description = description,
        Required = true,
    };

    public static Option<int> Threads() => CliOption.For(TrainingOptions.Threads);

    public static Option<string> Device() => CliOption.For(TrainingOptions.Device);

    /// <summary>Without it a folder another process is training is refused (see RunLock).</summary>
    public static Option<bool> NoLock() => new("--no-lock")
    {
        Description = "Do not lock the folders written (for file systems without locks; two processes could then write one folder)",
    };

    /// <summary>Without it every run trained writes TensorBoard event files in RUN_DIR/tensorboard/.</summary>
    public static Option<bool> NoTensorBoard() => new("--no-tensorboard")
    {
        Description = "Do not write TensorBoard event files (RUN_DIR/tensorboard/)",
    };

    /// <summary>TrainingSession's tensorboardEvery for the flag: 0 (off) or the default interval.</summary>
    public static int TensorBoardEvery(bool off) => off ? 0 : TensorBoardLog.DefaultEvery;

    public static Argument<string> RunDir() => new("RUN_DIR") { Description = "A run folder written by sbvae train" };

    public static ImageDataset LoadDataset(string? path, ImageFolderSettings? folder = null) => ImageDataset.LoadOrReference(path, folder);

    /// <summary>The images training reads, without needing them in one array (see DatasetStores).</summary>
    public static IImageStore OpenStore(string? path, ImageFolderSettings? folder = null) => DatasetStores.Open(path, folder: folder);

    /// <summary>Says on stderr, in one line, when the run asks for bf16 on a CPU that only emulates it (it trains, but slower than fp32).</summary>
    public static void WarnIfSlow(TrainConfig train)
    {
        if (train.Device != "cpu") return;
        if (Engine.PrecisionSupport.SlowWarning(train.Precision, TorchSharp.torch.CPU) is { } warning)
            Console.Error.WriteLine($"sbvae: warning: {warning}");
    }

    /// <summary>Refuses an output path that is an existing folder (when a file is expected).</summary>
    public static void CheckOutputFile(string path)
    {
        if (Directory.Exists(path)) throw new SbvaeException($"output '{path}' is a folder; give a file name");
    }
}
