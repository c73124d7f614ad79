using Sbvae.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// A training step with the batch split into one share per thread of the run: each share's loss
/// is its mean weighted by its size, so the shares' gradients sum, in share order, to the
/// batch's. The shares stay the same when fewer cores are available (the lease): a worker then
/// computes several, one after another, and the step's numbers do not change.
/// </summary>
internal sealed class SplitBatchStep(Vae model, Adam optimizer, EngineForward forward, int threads, CoreShare.Lease? cores) : IDisposable
{
    private readonly BatchWorkers workers = new(threads);
    private readonly Tensor[] parameters = [.. model.parameters()];

    public StepSums? Run(Tensor x, Tensor eps)
    {
        long batch = x.shape[0];
        int shares = (int)Math.Min(workers.Count, batch);
        int active = Math.Clamp(cores?.Cores ?? shares, 1, shares);
        var grads = new Tensor[shares][];
        var sums = new StepSums[shares];
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
                sums[share] = new StepSums(terms.Kl.sum().item<float>(), terms.Reconstruction.sum().item<float>(), part.item<float>());
            }
        });
        StepMarks.Point(StepMarks.SharesEnd);
        try
        {
            double loss = 0;
            foreach (var s in sums) loss += s.Loss;
            if (!double.IsFinite(loss)) return null;
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
            return new StepSums(sums.Sum(s => s.Kl), sums.Sum(s => s.Reconstruction), loss * batch);
        }
        finally
        {
            foreach (var share in grads) if (share is not null) foreach (var g in share) g.Dispose();
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
