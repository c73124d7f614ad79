using Sbvae.Data;
using Sbvae.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>What every training or measurement sets up first: threads, device, the seeded model, the images.</summary>
public static class TrainingSetup
{
    /// <summary>Sets libtorch's thread count (0 = one per core) and returns the count used.</summary>
    public static int UseThreads(int threads)
    {
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        LibtorchThreads.Set(n);
        return n;
    }

    public static Device ResolveDevice(string name)
    {
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
            throw new SbvaeException("CUDA is not available (this build uses the CPU libtorch); use --device cpu");
        return torch.device(name);
    }

    static readonly object GlobalSeed = new();

    /// <summary>A model with the run's initial weights (seeded) on <paramref name="device"/>.</summary>
    public static Vae BuildModel(ModelConfig config, int seed, Device device)
    {
        lock (GlobalSeed) // the weights come from libtorch's global generator; runs may start side by side
        {
            torch.random.manual_seed((long)(Seeds.InitSeed(seed) >> 1));
            var model = new Vae(config);
            model.to(device);
            return model;
        }
    }

    public static TrainingImages ToTrainingImages(ImageDataset data, Device device) =>
        new(data.Pixels, data.Count, data.Height, data.Width, data.Channels, device);
}
