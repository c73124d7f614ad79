using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// The decoder's observation model p(x|z): the reconstruction term of the negative ELBO per image,
/// −log p(x|z) up to a constant, from the decoder's raw output. Images x are (B, C, H, W) in [0, 1];
/// every term is a sum over all pixels and channels of one image, shape (B), so it adds to the
/// per-image KL as in LossTerms. Follows disentanglement_lib methods/shared/losses.py
/// (make_reconstruction_loss: per-sample loss, batch mean taken by the caller).
/// </summary>
public abstract class Likelihood
{
    /// <summary>"gaussian", "bernoulli" or "laplace".</summary>
    public abstract string Name { get; }

    /// <summary>−log p(x | output) per image, constants that do not depend on the output dropped; shape (B).</summary>
    public abstract Tensor NegativeLogLikelihood(Tensor x, Tensor output);

    /// <summary>The mean image E[x | output], same shape as the output (what a reconstruction shows).</summary>
    public abstract Tensor Mean(Tensor output);

    public static IReadOnlyList<string> Names { get; } = ["gaussian", "bernoulli", "laplace"];

    /// <summary>
    /// The likelihood called <paramref name="name"/>; <paramref name="variance"/> is σ_x² of the Gaussian,
    /// <paramref name="scale"/> the b of the Laplace (each checked only where it is used).
    /// </summary>
    public static Likelihood Create(string name, double variance, double scale) => name.ToLowerInvariant() switch
    {
        "gaussian" => new GaussianLikelihood(variance),
        "bernoulli" => new BernoulliLikelihood(),
        "laplace" => new LaplaceLikelihood(scale),
        _ => throw new SbvaeException($"unknown likelihood '{name}' (use {string.Join(", ", Names)})"),
    };

    /// <summary>
    /// Σ_pixels (x − mean)² per image, shape (B): a squared error that does not depend on the likelihood,
    /// so models trained with different ones can be compared. Units: a sum over all pixels and channels
    /// of one image (not a per-pixel mean), the same reduction as the reconstruction term.
    /// </summary>
    public static Tensor MeanSquaredError(Tensor x, Tensor mean)
    {
        using var scope = NewDisposeScope();
        using var two = 2.ToScalar(); // held, not implicit: see LossTerms.Compute
        return (x - mean).pow(two).flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    internal static void PositiveFinite(double value, string what)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new SbvaeException($"{what} must be a positive number, got {value}");
    }
}
