using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>Which covariance DIP-VAE matches to the identity.</summary>
public enum DipType
{
    /// <summary>Cov_p(x)[μ(x)], the covariance of the encoder means (Kumar et al. 2018, eq. 6).</summary>
    I,
    /// <summary>Cov_q(z)[z] = E_p(x)[diag σ²(x)] + Cov_p(x)[μ(x)] (eq. 7).</summary>
    II,
}

/// <summary>
/// DIP-VAE (Kumar et al. 2018, "Variational Inference of Disentangled Latent Concepts from
/// Unlabeled Observations", eq. 6 for type I, eq. 7 for type II): regulariser
/// mean_i KL_i + λ_od·Σ_{i≠j} Cov_ij² + λ_d·Σ_i (Cov_ii − 1)², Cov estimated on the batch. As
/// disentanglement_lib methods/unsupervised/vae.py DIPVAE.regularizer, compute_covariance_z_mean
/// (Cov[μ] = E[μμᵀ] − E[μ]E[μ]ᵀ, the biased batch estimate) and regularize_diag_off_diag_dip.
/// Logs "dip", the covariance penalty.
/// </summary>
public sealed class DipVae : Objective
{
    public DipType Type { get; }
    public double LambdaOd { get; }
    public double LambdaD { get; }

    public DipVae(DipType type, double lambdaOd, double lambdaD)
    {
        NonNegative(lambdaOd, "lambda_od");
        NonNegative(lambdaD, "lambda_d");
        Type = type;
        LambdaOd = lambdaOd;
        LambdaD = lambdaD;
    }

    /// <summary>
    /// λ_d when only λ_od is given: 10·λ_od for type I, λ_od for type II (disentanglement_lib's study
    /// sets lambda_d_factor to 10 and 1, following the paper's experiments).
    /// </summary>
    public static double DefaultLambdaD(DipType type, double lambdaOd) => type == DipType.I ? 10 * lambdaOd : lambdaOd;

    public override string Name => Type == DipType.I ? "dipvae1" : "dipvae2";

    public override ObjectiveTerms Regularizer(Tensor mu, Tensor logVar, Tensor z, Tensor kl, long step, Tensor? discriminatorLogits = null)
    {
        using var scope = NewDisposeScope();
        using var one = 1.ToScalar(); // held, not implicit: see LossTerms.Compute
        var cov = CovarianceOfMeans(mu);
        if (Type == DipType.II) cov = cov.add(logVar.exp().mean([0]).diag(), one);
        var dip = Penalty(cov, LambdaOd, LambdaD);
        var loss = MeanKl(kl).add(dip, one);
        return new ObjectiveTerms
        {
            Loss = loss.MoveToOuterDisposeScope(),
            Logged = new Dictionary<string, Tensor> { ["dip"] = Logged(dip) },
        };
    }

    /// <summary>Cov[μ] = E[μμᵀ] − E[μ]E[μ]ᵀ over the batch, (k, k) (compute_covariance_z_mean).</summary>
    public static Tensor CovarianceOfMeans(Tensor mu)
    {
        using var scope = NewDisposeScope();
        var outer = (mu.unsqueeze(2) * mu.unsqueeze(1)).mean([0]);
        var m = mu.mean([0]);
        return outer.sub(m.unsqueeze(1) * m.unsqueeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>λ_od·Σ_{i≠j} C_ij² + λ_d·Σ_i (C_ii − 1)² (regularize_diag_off_diag_dip).</summary>
    public static Tensor Penalty(Tensor covariance, double lambdaOd, double lambdaD)
    {
        using var scope = NewDisposeScope();
        using var od = lambdaOd.ToScalar(); // held, not implicit: see LossTerms.Compute
        using var d = lambdaD.ToScalar();
        using var one = 1.ToScalar();
        using var two = 2.ToScalar();
        var diagonal = covariance.diagonal();
        var offDiagonal = covariance.sub(diagonal.diag());
        var penalty = offDiagonal.pow(two).sum().mul(od).add(diagonal.sub(one).pow(two).sum().mul(d), one);
        return penalty.MoveToOuterDisposeScope();
    }
}
