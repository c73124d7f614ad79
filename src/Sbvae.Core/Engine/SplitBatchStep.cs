using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// A training step with the batch split into one share per thread of the run: each share's loss
/// is its mean weighted by its size, so the shares' gradients sum, in share order, to the
/// batch's. The shares stay the same when fewer cores are available (the lease): a worker then
/// computes several, one after another, and the step's numbers do not change. Objectives whose regulariser
/// spans the batch (all but the reference) take two passes: each share's forward, the regulariser on the
/// shares' codes gathered, then each share's backward with the regulariser's gradient for its codes.
/// </summary>
internal sealed class SplitBatchStep(Vae model, Adam optimizer, EngineForward forward, TrainingObjective objective, int threads, CoreShare.Lease? cores) : IDisposable
{
    private readonly BatchWorkers workers = new(threads);
    private readonly Tensor[] parameters = [.. model.parameters()];

    public StepSums? Run(Tensor x, Tensor eps, long step) => objective.IsReference ? RunReference(x, eps) : RunObjective(x, eps, step);

    StepSums? RunReference(Tensor x, Tensor eps)
    {
        long batch = x.shape[0];
        int shares = (int)Math.Min(workers.Count, batch);
        int active = Math.Clamp(cores?.Cores ?? shares, 1, shares);
        var grads = new Tensor[shares][];
        var sums = new (double Kl, double Reconstruction, double Loss)[shares];
        workers.Run(active, worker =>
        {
            for (int share = worker; share < shares; share += active)
            {
                StepMarks.Point(StepMarks.ShareStart);
                long from = batch * share / shares, to = batch * (share + 1) / shares;
                using var scope = NewDisposeScope();
                using var terms = forward.Loss(x.narrow(0, from, to - from), eps.narrow(0, from, to - from));
                using var weight = ((double)(to - from) / batch).ToScalar(); // held, not implicit: see LossTerms.Compute
                var part = terms.Loss.mul(weight);
                StepMarks.Point(StepMarks.Backward);
                grads[share] = [.. autograd.grad([part], parameters).Select(g => g.DetachFromDisposeScope())];
                StepMarks.Point(StepMarks.BackwardEnd);
                sums[share] = (terms.Kl.sum().item<float>(), terms.Reconstruction.sum().item<float>(), part.item<float>());
            }
        });
        StepMarks.Point(StepMarks.SharesEnd);
        try
        {
            double loss = 0;
            foreach (var s in sums) loss += s.Loss;
            if (!double.IsFinite(loss)) return null;
            Update(grads, shares, active);
            double reconstruction = sums.Sum(s => s.Reconstruction);
            return new StepSums(sums.Sum(s => s.Kl), reconstruction, loss * batch, forward.ReferenceTerms(x, reconstruction));
        }
        finally
        {
            foreach (var share in grads) if (share is not null) foreach (var g in share) g.Dispose();
        }
    }

    StepSums? RunObjective(Tensor x, Tensor eps, long step)
    {
        long batch = x.shape[0];
        int shares = (int)Math.Min(workers.Count, batch);
        int active = Math.Clamp(cores?.Cores ?? shares, 1, shares);
        var forwards = new ShareForward[shares];
        var weighted = new Tensor[shares]; // w_s · mean(reconstruction_s), w_s = share size / batch
        var logits = new Tensor?[shares]; // FactorVAE: D(z_s), so the discriminator runs in the shares both ways
        var grads = new Tensor[shares][];
        try
        {
            // 1. Each share's forward, its graph kept for the backward.
            workers.Run(active, worker =>
            {
                for (int share = worker; share < shares; share += active)
                {
                    StepMarks.Point(StepMarks.ShareStart);
                    long from = batch * share / shares, to = batch * (share + 1) / shares;
                    forwards[share] = ObjectiveStep.Forward(forward, objective.Likelihood, x.narrow(0, from, to - from), eps.narrow(0, from, to - from));
                    using var weight = ((double)(to - from) / batch).ToScalar(); // held, not implicit: see LossTerms.Compute
                    using var mean = forwards[share].Reconstruction.mean();
                    weighted[share] = mean.mul(weight);
                    logits[share] = objective.Critic is { } c ? DiscriminatorForward.Run(c.Discriminator, forwards[share].Z, forward.Options) : null;
                }
            });
            // 2. The regulariser over the whole batch, on the shares' codes gathered as leaves, and its gradient for each code.
            using var scope = NewDisposeScope();
            var mu = cat(forwards.Select(f => f.Mu.detach()).ToList(), 0).requires_grad_(true);
            var logVar = cat(forwards.Select(f => f.LogVar.detach()).ToList(), 0).requires_grad_(true);
            var z = cat(forwards.Select(f => f.Z.detach()).ToList(), 0).requires_grad_(true);
            var gathered = objective.Critic is null ? null : cat(logits.Select(l => l!.detach()).ToList(), 0).requires_grad_(true);
            using var regularizer = objective.Objective.Regularizer(mu, logVar, z, LossTerms.KlDivergence(mu, logVar), step, gathered);
            double loss = weighted.Sum(w => (double)w.item<float>()) + regularizer.Loss.item<float>();
            if (!double.IsFinite(loss)) return null;
            var codeGrads = autograd.grad([regularizer.Loss], gathered is null ? [mu, logVar, z] : [mu, logVar, z, gathered], allow_unused: true);
            bool usesZ = codeGrads[2] is { IsInvalid: false }; // the DIP and capacity terms do not
            // 3. Each share's backward: its reconstruction term, and the regulariser through its codes.
            workers.Run(active, worker =>
            {
                for (int share = worker; share < shares; share += active)
                {
                    long from = batch * share / shares, to = batch * (share + 1) / shares;
                    using var scope = NewDisposeScope();
                    var f = forwards[share];
                    var outputs = new List<Tensor> { weighted[share], f.Mu, f.LogVar };
                    var seeds = new List<Tensor> { ones_like(weighted[share]), codeGrads[0].narrow(0, from, to - from), codeGrads[1].narrow(0, from, to - from) };
                    if (usesZ)
                    {
                        outputs.Add(f.Z);
                        seeds.Add(codeGrads[2].narrow(0, from, to - from));
                    }
                    if (logits[share] is { } l)
                    {
                        outputs.Add(l);
                        seeds.Add(codeGrads[3].narrow(0, from, to - from));
                    }
                    StepMarks.Point(StepMarks.Backward);
                    grads[share] = [.. autograd.grad(outputs, parameters, seeds).Select(g => g.DetachFromDisposeScope())];
                    StepMarks.Point(StepMarks.BackwardEnd);
                }
            });
            StepMarks.Point(StepMarks.SharesEnd);
            Update(grads, shares, active);
            var critic = objective.Critic is { } c ? UpdateCritic(c, z, step, shares, active) : ((double, double)?)null;
            return ObjectiveStep.Sums(objective.Likelihood, x, forwards, loss, regularizer, critic);
        }
        finally
        {
            foreach (var f in forwards) f?.Dispose();
            foreach (var w in weighted) w?.Dispose();
            foreach (var l in logits) l?.Dispose();
            foreach (var share in grads) if (share is not null) foreach (var g in share) g.Dispose();
        }
    }

    /// <summary>
    /// FactorVAE's discriminator update (<see cref="FactorVaeCritic.Update"/>) with the batch split as the VAE's:
    /// the codes permuted across the whole batch, then each share's rows of both sets through the discriminator
    /// and their loss weighted by the share's size, the gradients summed in share order, and Adam's step with
    /// each worker updating its part of the weights. The same update up to summation order.
    /// </summary>
    (double Loss, double Accuracy) UpdateCritic(FactorVaeCritic critic, Tensor codes, long step, int shares, int active)
    {
        using var scope = NewDisposeScope();
        var z = codes.detach();
        var permuted = critic.Permuted(z, step);
        long batch = z.shape[0];
        var weights = critic.Discriminator.parameters().ToArray();
        var grads = new Tensor[shares][];
        var parts = new (double Loss, double Accuracy)[shares];
        try
        {
            workers.Run(active, worker =>
            {
                for (int share = worker; share < shares; share += active)
                {
                    using var scope = NewDisposeScope();
                    long from = batch * share / shares, n = batch * (share + 1) / shares - from;
                    var rows = DiscriminatorForward.Run(critic.Discriminator, cat([z.narrow(0, from, n), permuted.narrow(0, from, n)], 0), forward.Options);
                    var (loss, accuracy) = FactorVaeDiscriminatorLoss.Compute(rows.narrow(0, 0, n), rows.narrow(0, n, n));
                    using var weight = ((double)n / batch).ToScalar(); // held, not implicit: see LossTerms.Compute
                    var part = loss.mul(weight);
                    grads[share] = [.. autograd.grad([part], weights).Select(g => g.DetachFromDisposeScope())];
                    parts[share] = (part.item<float>(), accuracy * n / batch);
                }
            });
            for (int i = 0; i < weights.Length; i++) SumShares(grads, shares, i, weights[i]); // each stays alive as .grad until the scope ends
            UpdateInParts(critic.Optimizer, active);
            return (parts.Sum(p => p.Loss), parts.Sum(p => p.Accuracy));
        }
        finally
        {
            foreach (var share in grads) if (share is not null) foreach (var g in share) g.Dispose();
        }
    }

    /// <summary>Adam's step of <paramref name="adam"/> (the discriminator's) with each worker updating its own part of the parameters.</summary>
    void UpdateInParts(Adam adam, int active)
    {
        if (FusedAdam.Plan.For(adam) is not { } plan || plan.Parameters.Any(p => p.grad is not { } g || !g.is_contiguous()))
        {
            adam.step();
            return;
        }
        var owned = plan.Parameters.Select(p => (Tensor)p).ToArray();
        var parts = Partition(owned, active);
        workers.Run(active, worker =>
        {
            foreach (int i in parts[worker]) plan.Update(i, plan.Parameters[i].grad!);
        });
    }

    /// <summary>Sums the shares' gradients in share order and takes Adam's step, split across the workers where the one-pass Adam applies.</summary>
    void Update(Tensor[][] grads, int shares, int active)
    {
        if (FusedAdam.Plan.For(optimizer) is { } plan)
        {
            // Each worker sums and updates its own part of the parameters.
            var parts = Partition(parameters, active);
            workers.Run(active, worker =>
            {
                foreach (int i in parts[worker])
                {
                    using var sum = SumShares(grads, shares, i, parameters[i]);
                    plan.Update(i, sum);
                }
            });
        }
        else
        {
            for (int i = 0; i < parameters.Length; i++) SumShares(grads, shares, i, parameters[i]).Dispose();
            optimizer.step();
        }
    }

    /// <summary>Parameter <paramref name="i"/>'s gradient: the shares' gradients summed in share order, also set as its .grad.</summary>
    static Tensor SumShares(Tensor[][] grads, int shares, int i, Tensor parameter)
    {
        using var one = 1.ToScalar(); // held, not implicit: see LossTerms.Compute
        var sum = grads[0][i].contiguous(); // autograd.grad keeps the conv layouts; the fused Adam reads dense tensors
        for (int share = 1; share < shares; share++) sum.add_(grads[share][i], one);
        parameter.grad = sum;
        return sum;
    }

    /// <summary>Parameter indices in <paramref name="count"/> parts of about equal size (largest first, each to the lightest part).</summary>
    static List<int>[] Partition(Tensor[] parameters, int count)
    {
        var parts = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var load = new long[count];
        foreach (int i in Enumerable.Range(0, parameters.Length).OrderByDescending(i => parameters[i].numel()).ThenBy(i => i))
        {
            int lightest = Array.IndexOf(load, load.Min());
            parts[lightest].Add(i);
            load[lightest] += parameters[i].numel();
        }
        return parts;
    }

    public void Dispose() => workers.Dispose();
}
