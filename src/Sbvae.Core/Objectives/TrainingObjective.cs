using Sbvae.Models;

namespace Sbvae.Objectives;

/// <summary>
/// A run's objective, likelihood and, for FactorVAE, its discriminator: everything the engine needs
/// to compute the loss of a step besides the model, fixed for the run.
/// </summary>
public sealed class TrainingObjective : IDisposable
{
    public required Objective Objective { get; init; }
    public required Likelihood Likelihood { get; init; }
    public FactorVaeCritic? Critic { get; init; }

    /// <summary>β-VAE with the Gaussian likelihood: computed as before the other objectives existed, bit for bit.</summary>
    public bool IsReference => Objective is BetaVae && Likelihood is GaussianLikelihood;

    /// <param name="datasetSize">N, for β-TCVAE's estimator.</param>
    /// <param name="totalSteps">The run's steps, AnnealedVAE's default capacity schedule.</param>
    /// <param name="discriminator">Builds FactorVAE's discriminator (seeded by the caller); called only for FactorVAE.</param>
    public static TrainingObjective For(ModelConfig config, long datasetSize, long totalSteps, int seed, Func<FactorVaeDiscriminator> discriminator)
    {
        var objective = Objective.Create(config.Objective, config.Beta, config.Gamma, config.LambdaOd, config.LambdaD,
            config.CapacityMax, config.CapacitySteps, datasetSize, totalSteps);
        return new TrainingObjective
        {
            Objective = objective,
            Likelihood = Likelihood.Create(config.Likelihood, config.Variance, config.Scale ?? ModelConfig.DefaultScale),
            Critic = objective is FactorVae ? new FactorVaeCritic(discriminator(), seed) : null,
        };
    }

    /// <summary>The likelihood of a model's config, for showing its mean image.</summary>
    public static Likelihood LikelihoodOf(ModelConfig config) =>
        Likelihood.Create(config.Likelihood, config.Variance, config.Scale ?? ModelConfig.DefaultScale);

    public void Dispose() => Critic?.Dispose();
}
