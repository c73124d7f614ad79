using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Objectives;

/// <summary>
/// β-VAE (Higgins et al. 2017, "β-VAE: Learning Basic Visual Concepts with a Constrained Variational
/// Framework", eq. 4): regulariser β·mean_i KL_i. As disentanglement_lib
/// methods/unsupervised/vae.py BetaVAE.regularizer (beta * kl_loss, kl_loss the batch mean).
/// β = 1 is the plain VAE of LossTerms.
/// </summary>
public sealed class BetaVae : Objective
{
    public double Beta { get; }

    public BetaVae(double beta)
    {
        NonNegative(beta, "beta");
        Beta = beta;
    }

    public override string Name => "betavae";

    public override ObjectiveTerms Regularizer(Tensor mu, Tensor logVar, Tensor z, Tensor kl, long step, Tensor? discriminatorLogits = null)
    {
        using var scope = NewDisposeScope();
        using var b = Beta.ToScalar(); // held, not implicit: see LossTerms.Compute
        var loss = MeanKl(kl).mul(b);
        return new ObjectiveTerms { Loss = loss.MoveToOuterDisposeScope(), Logged = new Dictionary<string, Tensor>() };
    }
}
