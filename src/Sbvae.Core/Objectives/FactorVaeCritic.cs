using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// What FactorVAE trains beside the VAE (Kim &amp; Mnih 2018, Algorithm 2): the discriminator with its own
/// Adam (disentanglement_lib's study: lr 1e-4, β₁ 0.5, β₂ 0.9), updated once per step on the step's codes,
/// after the VAE's backward (see <see cref="FactorVae"/> for why that order). Saved with the run's checkpoint.
/// </summary>
public sealed class FactorVaeCritic : IDisposable
{
    public const double LearningRate = 1e-4, Beta1 = 0.5, Beta2 = 0.9;

    private readonly int seed;

    public FactorVaeDiscriminator Discriminator { get; }
    public Adam Optimizer { get; }

    /// <param name="seed">The run's seed: each step's permutation is drawn from (seed, step), so a resumed run draws the same.</param>
    public FactorVaeCritic(FactorVaeDiscriminator discriminator, int seed)
    {
        Discriminator = discriminator;
        this.seed = seed;
        Optimizer = optim.Adam(discriminator.parameters(), lr: LearningRate, beta1: Beta1, beta2: Beta2);
    }

    /// <summary>D(z) with its graph: the total-correlation term fed back to the encoder.</summary>
    public Tensor Logits(Tensor z) => Discriminator.forward(z);

    /// <summary>The step's codes with each dimension permuted across the batch, drawn from (seed, step).</summary>
    public Tensor Permuted(Tensor codes, long step)
    {
        using var generator = new Generator(Seeds.Mix(seed, step, 5));
        return DimensionPermutation.Permute(codes, generator);
    }

    /// <summary>
    /// One update of the discriminator on <paramref name="codes"/> (the step's z, detached here so that
    /// nothing reaches the encoder) against their dimension-wise permutation. Returns its loss and accuracy.
    /// </summary>
    /// <param name="optimizerStep">Takes the optimizer's step once the gradients are in; default <see cref="Optimizer"/>.step().
    /// The engine passes a faster update of the same arithmetic.</param>
    public (double Loss, double Accuracy) Update(Tensor codes, long step, Action<Adam>? optimizerStep = null)
    {
        using var scope = NewDisposeScope();
        var z = codes.detach();
        var permuted = Permuted(z, step);
        Optimizer.zero_grad(); // the VAE's backward left γ·TC's gradients on the discriminator
        // Both sets through the network as one batch (the same function: the rows do not interact), then split.
        long b = z.shape[0];
        var logits = Discriminator.forward(cat([z, permuted], 0));
        var (loss, accuracy) = FactorVaeDiscriminatorLoss.Compute(logits.narrow(0, 0, b), logits.narrow(0, b, b));
        loss.backward();
        if (optimizerStep is null) Optimizer.step();
        else optimizerStep(Optimizer);
        return (loss.item<float>(), accuracy);
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Discriminator.Dispose();
    }
}
