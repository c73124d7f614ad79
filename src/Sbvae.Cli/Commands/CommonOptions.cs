using System.CommandLine;
using Sbvae.Data;

namespace Sbvae.Cli.Commands;

/// <summary>Options several commands share, created fresh per command.</summary>
public static class CommonOptions
{
    public static Option<string?> Dataset() => new("--dataset")
    {
        Description = "Images as .npz (imgs (N,H,W,3) uint8 + latents, or dSprites layout); default: the built-in reference circles",
    };

    public static Option<string> Out(string description) => new("--out")
    {
        Description = description,
        Required = true,
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "libtorch threads (0 = one per core)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu or cuda",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>Without it a folder another process is training is refused (see RunLock).</summary>
    public static Option<bool> NoLock() => new("--no-lock")
    {
        Description = "Do not lock the folders written (for file systems without locks; two processes could then write one folder)",
    };

    public static Argument<string> RunDir() => new("RUN_DIR") { Description = "A run folder written by sbvae train" };

    public static ImageDataset LoadDataset(string? path) => ImageDataset.LoadOrReference(path);

    /// <summary>Refuses an output path that is an existing folder (when a file is expected).</summary>
    public static void CheckOutputFile(string path)
    {
        if (Directory.Exists(path)) throw new SbvaeException($"output '{path}' is a folder; give a file name");
    }
}
