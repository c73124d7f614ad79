using Sbvae.Models;
using Sbvae.Objectives;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// The <see cref="Vae"/>'s function (encoder, reparameterisation, decoder, loss) computed with
/// a set of the engine's levers. With <see cref="EngineOptions.Plain"/> it runs the model's own
/// modules in order; every lever computes the same function (tested against the model).
/// Safe to call from several threads at once (the split batch does).
/// </summary>
public sealed class EngineForward : IInference
{
    private readonly Vae model;
    private readonly BroadcastDecoderForward? broadcast;
    private readonly Likelihood likelihood;

    public EngineOptions Options { get; }

    public EngineForward(Vae model, EngineOptions options)
    {
        this.model = model;
        Options = options;
        if (model.Decoder is SpatialBroadcastDecoder sbd) broadcast = new BroadcastDecoderForward(sbd);
        likelihood = TrainingObjective.LikelihoodOf(model.Config);
    }

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x) => EncoderForward.Run(model.Encoder, x, Options);

    /// <summary>The mean image of p(x|z): the decoder's output, or its sigmoid where it outputs Bernoulli logits.</summary>
    public Tensor Decode(Tensor z)
    {
        var output = Output(z);
        var mean = likelihood.Mean(output);
        if (!ReferenceEquals(mean, output)) output.Dispose();
        return mean;
    }

    /// <summary>The decoder's output: the mean image, or logits for the Bernoulli likelihood.</summary>
    public Tensor Output(Tensor z) => model.Decoder switch
    {
        SpatialBroadcastDecoder => broadcast!.Run(z, Options),
        DeconvDecoder deconv => DeconvDecoderForward.Run(deconv, z, Options),
        var other => throw new NotSupportedException($"no engine forward for {other.GetType().Name}"),
    };

    public Tensor Reconstruct(Tensor x)
    {
        var (mu, logVar) = Encode(x);
        using (logVar) using (mu) return Decode(mu);
    }

    /// <summary>The terms the reference step logs besides KL and reconstruction: the squared error per pixel, which for the
    /// Gaussian likelihood is the reconstruction term times 2σ_x² over the pixels of an image (no second pass over the images).</summary>
    public Dictionary<string, double> ReferenceTerms(Tensor x, double reconstructionSum) =>
        new() { ["mse"] = reconstructionSum * 2 * model.Config.Variance / (x.numel() / x.shape[0]) };

    /// <summary>Per-image loss terms for a batch with the given reparameterisation noise ε (B, k), as <see cref="Vae.Loss"/> (the reference objective).</summary>
    public LossTerms Loss(Tensor x, Tensor eps)
    {
        var (mu, logVar) = Encode(x);
        using var z = Vae.Reparameterize(mu, logVar, eps);
        using (mu) using (logVar)
        {
            using var xHat = StepMarks.Layer(Output(z), StepMarks.LossLabel);
            var config = model.Config;
            if (Options.LossKernel && Options.Precision == Precision.Bf16 && Kernels.GaussianLoss.Handles(x, xHat, mu, logVar))
                return KernelLoss(x, xHat, mu, logVar, config.Variance, config.Beta);
            return LossTerms.Compute(x, xHat, mu, logVar, config.Variance, config.Beta);
        }
    }

    static LossTerms KernelLoss(Tensor x, Tensor xHat, Tensor mu, Tensor logVar, double variance, double beta)
    {
        using var scope = NewDisposeScope();
        var (reconstruction, kl, loss) = Kernels.GaussianLoss.Apply(x, xHat, mu, logVar, variance, beta);
        return new LossTerms
        {
            Reconstruction = reconstruction.MoveToOuterDisposeScope(),
            Kl = kl.MoveToOuterDisposeScope(),
            Loss = loss.MoveToOuterDisposeScope(),
        };
    }
}
