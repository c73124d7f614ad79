using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// β-TCVAE (Chen et al. 2018, "Isolating Sources of Disentanglement in VAEs", eq. 4 with α = γ = 1,
/// §3 minibatch-weighted sampling): regulariser mean_i KL_i + (β − 1)·TC, the batch's KL holding
/// the total correlation once, so the TC gets weight β in all. As disentanglement_lib
/// methods/unsupervised/vae.py BetaTCVAE.regularizer ((beta − 1)·total_correlation + kl_loss) and
/// total_correlation / gaussian_log_density.
/// <para>
/// TC = mean_i [log q(z_i) − Σ_d log q(z_id)] with, for a batch of M = B images from a dataset of N,
/// log q(z_i) ≈ logsumexp_j log q(z_i | x_j) − log(N·M) and log q(z_id) ≈ logsumexp_j log q(z_id | x_j)
/// − log(N·M), each log q(·|x_j) a diagonal Gaussian log density (log 2π included; it cancels).
/// disentanglement_lib drops the log(N·M) terms, which leaves (k − 1)·log(N·M) out of its TC; they are
/// KEPT here, so the logged "tc" is the minibatch-weighted-sampling estimate itself. A constant, it
/// does not change the gradient.
/// </para>
/// </summary>
public sealed class BetaTcVae : Objective
{
    public double Beta { get; }
    /// <summary>N, the number of images in the training set.</summary>
    public long DatasetSize { get; }

    public BetaTcVae(double beta, long datasetSize)
    {
        NonNegative(beta, "beta");
        if (datasetSize < 1) throw new SbvaeException($"dataset size must be at least 1, got {datasetSize}");
        Beta = beta;
        DatasetSize = datasetSize;
    }

    public override string Name => "betatcvae";

    public override ObjectiveTerms Regularizer(Tensor mu, Tensor logVar, Tensor z, Tensor kl, long step, Tensor? discriminatorLogits = null)
    {
        using var scope = NewDisposeScope();
        using var w = (Beta - 1).ToScalar(); // held, not implicit: see LossTerms.Compute
        using var one = 1.ToScalar();
        var tc = TotalCorrelation(z, mu, logVar, DatasetSize);
        var loss = MeanKl(kl).add(tc, w);
        return new ObjectiveTerms
        {
            Loss = loss.MoveToOuterDisposeScope(),
            Logged = new Dictionary<string, Tensor> { ["tc"] = Logged(tc) },
        };
    }

    /// <summary>The minibatch-weighted-sampling TC estimate (scalar, differentiable) for a batch of size M = z.shape[0].</summary>
    public static Tensor TotalCorrelation(Tensor z, Tensor mu, Tensor logVar, long datasetSize)
    {
        using var scope = NewDisposeScope();
        long m = z.shape[0];
        using var logNm = (Math.Log(datasetSize) + Math.Log(m)).ToScalar();
        // log q(z_id | x_j) for every pair: (M, M, k), indexed [i, j, d] (the sample i, the image j).
        var logDensity = GaussianLogDensity(z.unsqueeze(1), mu.unsqueeze(0), logVar.unsqueeze(0));
        var logQzProduct = logDensity.logsumexp(1).sub(logNm).sum(1);   // Σ_d log q(z_id), (M)
        var logQz = logDensity.sum(2).logsumexp(1).sub(logNm);          // log q(z_i), (M)
        return logQz.sub(logQzProduct).mean().MoveToOuterDisposeScope();
    }

    /// <summary>log N(x; μ, exp(logVar)) elementwise: −½((x − μ)²·exp(−logVar) + logVar + log 2π).</summary>
    public static Tensor GaussianLogDensity(Tensor x, Tensor mu, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        using var log2Pi = Math.Log(2 * Math.PI).ToScalar(); // held, not implicit: see LossTerms.Compute
        using var minusHalf = (-0.5).ToScalar();
        using var two = 2.ToScalar();
        var d = x - mu;
        return d.pow(two).mul(logVar.neg().exp()).add(logVar).add(log2Pi).mul(minusHalf).MoveToOuterDisposeScope();
    }
}
