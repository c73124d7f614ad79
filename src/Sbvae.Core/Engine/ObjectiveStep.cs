using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>One share's (or the whole batch's) forward for an objective other than the reference: codes, decoder output and per-image terms.</summary>
internal sealed record ShareForward(Tensor Mu, Tensor LogVar, Tensor Z, Tensor Output, Tensor Reconstruction, Tensor Kl) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in new[] { Mu, LogVar, Z, Output, Reconstruction, Kl }) t.Dispose();
    }
}

/// <summary>
/// The training step of the objectives other than the reference (<see cref="TrainingObjective.IsReference"/>):
/// loss = mean_i(−log p(x_i|z_i)) + the objective's regulariser over the whole batch (Sbvae.Objectives),
/// then FactorVAE's discriminator update after the VAE's backward.
/// </summary>
internal static class ObjectiveStep
{
    public static ShareForward Forward(EngineForward forward, Likelihood likelihood, Tensor x, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var (mu, logVar) = forward.Encode(x);
        var z = Vae.Reparameterize(mu, logVar, eps);
        var output = StepMarks.Layer(forward.Output(z), StepMarks.LossLabel);
        var reconstruction = likelihood.NegativeLogLikelihood(x, output);
        var kl = LossTerms.KlDivergence(mu, logVar);
        return new ShareForward(mu.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(),
            output.MoveToOuterDisposeScope(), reconstruction.MoveToOuterDisposeScope(), kl.MoveToOuterDisposeScope());
    }

    /// <summary>The step over the whole batch at once.</summary>
    public static StepSums? Whole(EngineForward forward, Adam optimizer, TrainingObjective objective, Tensor x, Tensor eps, long step, bool fusedAdam)
    {
        using var scope = NewDisposeScope();
        using var f = Forward(forward, objective.Likelihood, x, eps);
        var logits = objective.Critic?.Logits(f.Z);
        using var regularizer = objective.Objective.Regularizer(f.Mu, f.LogVar, f.Z, f.Kl, step, logits);
        using var one = 1.ToScalar(); // held, not implicit: see LossTerms.Compute
        var loss = f.Reconstruction.mean().add(regularizer.Loss, one);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return null;
        optimizer.zero_grad();
        StepMarks.Point(StepMarks.Backward);
        loss.backward();
        StepMarks.Point(StepMarks.BackwardEnd);
        if (!fusedAdam || !FusedAdam.Step(optimizer)) optimizer.step();
        var critic = objective.Critic?.Update(f.Z, step);
        return Sums(objective.Likelihood, x, [f], value, regularizer, critic);
    }

    /// <summary>
    /// The batch sums of a step: KL, reconstruction, loss (mean × batch), the mean squared error of the mean
    /// image per pixel, the objective's logged values and the discriminator's loss and accuracy (each × batch).
    /// </summary>
    public static StepSums Sums(Likelihood likelihood, Tensor x, IReadOnlyList<ShareForward> shares, double loss, ObjectiveTerms regularizer,
        (double Loss, double Accuracy)? critic)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long batch = x.shape[0];
        double kl = 0, reconstruction = 0, mse = 0;
        long from = 0;
        foreach (var f in shares)
        {
            long n = f.Kl.shape[0];
            kl += f.Kl.sum().item<float>();
            reconstruction += f.Reconstruction.sum().item<float>();
            mse += MeanSquaredErrorSum(x.narrow(0, from, n), likelihood.Mean(f.Output));
            from += n;
        }
        var terms = new Dictionary<string, double> { ["mse"] = mse };
        foreach (var (name, value) in regularizer.Logged) terms[name] = value.item<float>() * batch;
        if (critic is { } c)
        {
            terms["disc_loss"] = c.Loss * batch;
            terms["disc_accuracy"] = c.Accuracy * batch;
        }
        return new StepSums(kl, reconstruction, loss * batch, terms);
    }

    /// <summary>Σ over the images of the mean over pixels of (x − mean)²: the error of the mean image, whatever the likelihood.</summary>
    public static double MeanSquaredErrorSum(Tensor x, Tensor mean)
    {
        using var scope = NewDisposeScope();
        long pixels = x.numel() / x.shape[0];
        return Likelihood.MeanSquaredError(x, mean).sum().item<float>() / (double)pixels;
    }
}
