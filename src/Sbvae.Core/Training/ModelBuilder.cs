using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>A run's model with its initial weights, seeded from the run's seed.</summary>
public static class ModelBuilder
{
    static readonly object GlobalSeed = new();

    /// <summary>A model with the run's initial weights (seeded) on <paramref name="device"/>.</summary>
    public static Vae Build(ModelConfig config, int seed, Device device)
    {
        lock (GlobalSeed) // the weights come from libtorch's global generator; runs may start side by side
        {
            torch.random.manual_seed((long)(Seeds.InitSeed(seed) >> 1));
            var model = new Vae(config);
            model.to(device);
            return model;
        }
    }

    /// <summary>FactorVAE's discriminator with its initial weights seeded from the run's seed (another stream than the model's).</summary>
    public static FactorVaeDiscriminator BuildDiscriminator(int latent, int seed, Device device)
    {
        lock (GlobalSeed)
        {
            torch.random.manual_seed((long)(Seeds.Mix(seed, 0, 4) >> 1));
            var discriminator = new FactorVaeDiscriminator(latent);
            discriminator.to(device);
            return discriminator;
        }
    }
}
