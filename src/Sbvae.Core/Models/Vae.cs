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

    /// <summary>ε ~ N(0, I) for a batch, (B, k) fp32, drawn on the CPU from <paramref name="noise"/> so every device draws the same.</summary>
    public Tensor Noise(long batch, Device device, Generator? noise = null)
    {
        using var eps = randn([batch, Config.Latent], dtype: ScalarType.Float32, generator: noise);
        return eps.to(device);
    }

    /// <summary>z = μ + exp(½ log σ²)·ε: the reparameterised sample, differentiable in μ and log σ².</summary>
    public static Tensor Reparameterize(Tensor mu, Tensor logVar, Tensor eps)
    {
        using var scope = NewDisposeScope();
        using var half = 0.5.ToScalar(); // held, not implicit: see LossTerms.Compute
        using var one = 1.ToScalar();
        return mu.add(logVar.mul(half).exp().mul(eps), one).MoveToOuterDisposeScope();
    }

    /// <summary>Returns (z, μ, log σ²) for the given ε (B, k).</summary>
    public (Tensor Z, Tensor Mu, Tensor LogVar) Encode(Tensor x, Tensor eps)
    {
        var (mu, logVar) = encoder.forward(x);
        return (Reparameterize(mu, logVar, eps), mu, logVar);
    }

    /// <summary>Returns (z, μ, log σ²) with ε drawn from <paramref name="noise"/>.</summary>
    public (Tensor Z, Tensor Mu, Tensor LogVar) Encode(Tensor x, Generator? noise = null)
    {
        using var eps = Noise(x.shape[0], x.device, noise);
        return Encode(x, eps);
    }

    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>Decodes μ: the model's best guess, no sampling (not clamped).</summary>
    public Tensor Reconstruct(Tensor x)
    {
        var (mu, logVar) = encoder.forward(x);
        using (logVar) using (mu) return decoder.forward(mu);
    }

    public override Tensor forward(Tensor x) => Reconstruct(x);

    /// <summary>Per-image loss terms (SPEC §4) for a batch with the given reparameterisation noise ε (B, k).</summary>
    public LossTerms Loss(Tensor x, Tensor eps)
    {
        var (z, mu, logVar) = Encode(x, eps);
        using (z) using (mu) using (logVar)
        {
            using var xHat = decoder.forward(z);
            return LossTerms.Compute(x, xHat, mu, logVar, Config.Variance, Config.Beta);
        }
    }
}
