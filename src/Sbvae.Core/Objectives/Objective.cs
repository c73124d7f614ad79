using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// A training objective of the disentanglement_lib family (methods/unsupervised/vae.py, BaseVAE):
/// loss = mean_i(reconstruction_i) + regulariser, where the regulariser replaces the KL term of the
/// plain VAE. Each method is one subclass in its own file.
/// </summary>
public abstract class Objective
{
    /// <summary>"betavae", "factorvae", "betatcvae", "dipvae1", "dipvae2" or "annealed".</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The regulariser over the whole batch, added to the batch mean of the reconstruction term:
    /// loss = mean_i(reconstruction_i) + Regularizer(...).Loss.
    /// mu, logVar, z: (B, k); kl: per-image KL(q(z|x)‖N(0,I)) (B); step: global step (0-based) for schedules;
    /// discriminator logits of z (B, 2) only for FactorVAE, else null.
    /// </summary>
    public abstract ObjectiveTerms Regularizer(Tensor mu, Tensor logVar, Tensor z, Tensor kl, long step, Tensor? discriminatorLogits = null);

    public static IReadOnlyList<string> Names { get; } = ["betavae", "factorvae", "betatcvae", "dipvae1", "dipvae2", "annealed"];

    /// <summary>FactorVAE's γ when none is given (disentanglement_lib's study: γ ∈ {10, …, 100}).</summary>
    public const double DefaultFactorVaeGamma = 10;
    /// <summary>AnnealedVAE's γ when none is given (disentanglement_lib's study, Burgess et al. 2018).</summary>
    public const double DefaultAnnealedGamma = 1000;
    /// <summary>AnnealedVAE's C_max in nats when none is given (disentanglement_lib's study: {5, …, 100}).</summary>
    public const double DefaultCapacityMax = 25;
    /// <summary>DIP-VAE's λ_od when none is given (disentanglement_lib's study: {1, …, 50}).</summary>
    public const double DefaultLambdaOd = 10;

    /// <summary>
    /// The objective called <paramref name="name"/>. Hyperparameters a method does not use are ignored
    /// but still checked when given; null ones take disentanglement_lib's study defaults: FactorVAE
    /// γ = 10; AnnealedVAE γ = 1000, C_max = 25, capacity steps = <paramref name="totalSteps"/>; DIP-VAE
    /// λ_od = 10 and λ_d from <see cref="DipVae.DefaultLambdaD"/>. β is used by betavae and betatcvae,
    /// <paramref name="datasetSize"/> (N) by betatcvae.
    /// </summary>
    public static Objective Create(string name, double beta, double? gamma, double? lambdaOd, double? lambdaD,
        double? capacityMax, long? capacitySteps, long datasetSize, long totalSteps)
    {
        NonNegative(beta, "beta");
        if (gamma is { } g) NonNegative(g, "gamma");
        if (lambdaOd is { } od) NonNegative(od, "lambda_od");
        if (lambdaD is { } d) NonNegative(d, "lambda_d");
        if (capacityMax is { } c) NonNegative(c, "capacity max");
        if (capacitySteps is { } s && s < 1) throw new SbvaeException($"capacity steps must be at least 1, got {s}");
        switch (name.ToLowerInvariant())
        {
            case "betavae":
                return new BetaVae(beta);
            case "factorvae":
                return new FactorVae(gamma ?? DefaultFactorVaeGamma);
            case "betatcvae":
                return new BetaTcVae(beta, datasetSize);
            case "dipvae1":
            case "dipvae2":
                var type = name.EndsWith('1') ? DipType.I : DipType.II;
                double lod = lambdaOd ?? DefaultLambdaOd;
                return new DipVae(type, lod, lambdaD ?? DipVae.DefaultLambdaD(type, lod));
            case "annealed":
                if (capacitySteps is null && totalSteps < 1)
                    throw new SbvaeException($"capacity steps default to the total number of steps, which must be at least 1, got {totalSteps}");
                return new AnnealedVae(gamma ?? DefaultAnnealedGamma, capacityMax ?? DefaultCapacityMax, capacitySteps ?? totalSteps);
            default:
                throw new SbvaeException($"unknown objective '{name}' (use {string.Join(", ", Names)})");
        }
    }

    /// <summary>mean_i KL_i as a scalar.</summary>
    protected static Tensor MeanKl(Tensor kl) => kl.mean();

    protected static void NonNegative(double value, string what)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new SbvaeException($"{what} must be a non-negative number, got {value}");
    }

    /// <summary>A detached copy of a scalar for logging, moved out of the caller's dispose scope.</summary>
    protected static Tensor Logged(Tensor t) => t.detach().MoveToOuterDisposeScope();
}
