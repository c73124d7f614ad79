using TorchSharp;
using Sbvae.Checkpoints;
using Sbvae.Data;
using static TorchSharp.torch;

namespace Sbvae.Evaluation;

/// <summary>
/// The reconstruction term of SPEC §4 per image, Σ_pixels (x − μ_D(μ))² / (2σ_x²), decoding
/// the encoder mean (no sampling): what a model makes of each image, in the loss's units.
/// </summary>
public static class ReconstructionError
{
    public static double[] PerImage(TrainedModel model, ImageDataset data, int batch = 128)
    {
        using var images = model.Images(data);
        var errors = new double[images.Count];
        double variance = model.Config.Model.Variance;
        using var noGrad = no_grad();
        using var two = 2.ToScalar(); // held, not implicit: see LossTerms.Compute
        using var twiceVariance = (2 * variance).ToScalar();
        model.Model.eval();
        for (int start = 0; start < images.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, images.Count - start);
            var x = images.Range(start, n);
            var err = (model.Inference.Reconstruct(x) - x).pow(two).flatten(1).sum(1).div(twiceVariance);
            var values = err.to(ScalarType.Float64).cpu().data<double>().ToArray();
            values.CopyTo(errors, start);
        }
        return errors;
    }
}
