using Sbvae.Models;
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

    public EngineOptions Options { get; }

    public EngineForward(Vae model, EngineOptions options)
    {
        this.model = model;
        Options = options;
        if (model.Decoder is SpatialBroadcastDecoder sbd) broadcast = new BroadcastDecoderForward(sbd);
    }

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x) => EncoderForward.Run(model.Encoder, x, Options);

    public Tensor Decode(Tensor z) => model.Decoder switch
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

    /// <summary>Per-image loss terms for a batch with the given reparameterisation noise ε (B, k), as <see cref="Vae.Loss"/>.</summary>
    public LossTerms Loss(Tensor x, Tensor eps)
    {
        var (mu, logVar) = Encode(x);
        using var z = Vae.Reparameterize(mu, logVar, eps);
        using (mu) using (logVar)
        {
            using var xHat = StepMarks.Layer(Decode(z), StepMarks.LossLabel);
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
