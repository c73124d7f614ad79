using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Models;

/// <summary>
/// Gaussian VAE with fixed decoder variance (SPEC §4): prior N(0, I), q(z|x) = N(μ, diag σ²),
/// one reparameterised sample per image, p(x|z) = N(μ_D, σ_x² I).
/// </summary>
public sealed class Vae : Module<Tensor, Tensor>
{
    private readonly Encoder encoder;
    private readonly Decoder decoder;

    public ModelConfig Config { get; }
    public Encoder Encoder => encoder;
    public Decoder Decoder => decoder;

    /// <summary>
    /// How forward and backward compute (precision, factored layers). A runtime setting: the
    /// weights stay fp32 and the state_dict and checkpoints do not change.
    /// </summary>
    public ComputeOptions Compute
    {
        get => decoder.Compute;
        set
        {
            encoder.Compute = value;
            decoder.Compute = value;
        }
    }

    public Vae(ModelConfig config) : base(nameof(Vae))
    {
        config.Validate();
        Config = config;
        encoder = new Encoder(config.Latent, config.ImageSize);
        decoder = config.Decoder == DecoderKind.Sbd
            ? new SpatialBroadcastDecoder(config.Latent, config.ImageSize, config.Unpadded)
            : new DeconvDecoder(config.Latent, config.ImageSize);
        RegisterComponents();
    }

    /// <summary>Returns (z, μ, log σ²) with z = μ + exp(½ log σ²)·ε, ε ~ N(0, I) drawn from <paramref name="noise"/>.</summary>
    public (Tensor Z, Tensor Mu, Tensor LogVar) Encode(Tensor x, Generator? noise = null)
    {
        var (mu, logVar) = encoder.forward(x);
        using var scope = NewDisposeScope();
        var eps = randn(mu.shape, dtype: mu.dtype, generator: noise).to(mu.device);
        var z = (mu + (0.5 * logVar).exp() * eps).MoveToOuterDisposeScope();
        return (z, mu, logVar);
    }

    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>Decodes μ: the model's best guess, no sampling (not clamped).</summary>
    public Tensor Reconstruct(Tensor x)
    {
        var (mu, logVar) = encoder.forward(x);
        using (logVar) using (mu) return decoder.forward(mu);
    }

    public override Tensor forward(Tensor x) => Reconstruct(x);

    /// <summary>Per-image loss terms (SPEC §4) for a batch, with one reparameterised sample each.</summary>
    public LossTerms Loss(Tensor x, Generator? noise = null)
    {
        var (z, mu, logVar) = Encode(x, noise);
        using (z) using (mu) using (logVar)
        {
            using var xHat = decoder.forward(z);
            return LossTerms.Compute(x, xHat, mu, logVar, Config.Variance, Config.Beta);
        }
    }
}
