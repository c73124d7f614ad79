using TorchSharp;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Objectives;
using static TorchSharp.torch;

namespace Sbvae.Evaluation;

/// <summary>
/// What a model makes of each image, decoding the encoder mean (no sampling): the reconstruction
/// term in the likelihood's own units, and the mean image's squared error, whatever the likelihood.
/// </summary>
public static class ReconstructionError
{
    /// <summary>
    /// The reconstruction term per image, −log p(x | z = μ(x)) up to a constant: for the Gaussian likelihood
    /// SPEC §4's Σ_pixels (x − μ_D(μ))² / (2σ_x²) on the mean image (as before other likelihoods existed);
    /// for the others their own <see cref="Likelihood.NegativeLogLikelihood"/> of the decoder's output (Bernoulli: its logits).
    /// </summary>
    public static double[] PerImage(TrainedModel model, ImageDataset data, int? batchSize = null)
    {
        int batch = batchSize ?? model.InferenceBatch;
        using var images = model.Images(data);
        var errors = new double[images.Count];
        var likelihood = TrainingObjective.LikelihoodOf(model.Config.Model);
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
            Tensor err;
            if (likelihood is GaussianLikelihood)
                err = (model.Inference.Reconstruct(x) - x).pow(two).flatten(1).sum(1).div(twiceVariance);
            else
            {
                var (mu, _) = model.Inference.Encode(x);
                err = likelihood.NegativeLogLikelihood(x, model.Model.Decoder.forward(mu));
            }
            var values = err.to(ScalarType.Float64).cpu().data<double>().ToArray();
            values.CopyTo(errors, start);
        }
        return errors;
    }

    /// <summary>The mean image's squared error per pixel (and channel) of each image, decoding the encoder mean.</summary>
    public static double[] PerImageSquaredError(TrainedModel model, ImageDataset data)
    {
        int batch = model.InferenceBatch;
        using var images = model.Images(data);
        var errors = new double[images.Count];
        using var noGrad = no_grad();
        model.Model.eval();
        for (int start = 0; start < images.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, images.Count - start);
            var x = images.Range(start, n);
            long perImage = x.numel() / n;
            var sums = Likelihood.MeanSquaredError(x, model.Inference.Reconstruct(x)).to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int i = 0; i < n; i++) errors[start + i] = sums[i] / perImage;
        }
        return errors;
    }

    /// <summary>
    /// The mean image's squared error per pixel (and channel), averaged over the dataset: Σ (x − E[x | z = μ(x)])² / (N·C·H·W),
    /// the same quantity as losses.csv's mse but deterministic (the encoder mean, not a sampled code) and over every image.
    /// </summary>
    public static double MeanSquaredError(TrainedModel model, IImageStore data) =>
        MeanSquaredError(model, data, Enumerable.Range(0, data.Count).Select(i => (long)i).ToArray());

    /// <summary>The same over the images at <paramref name="rows"/> (a sample of a large store).</summary>
    public static double MeanSquaredError(TrainedModel model, IImageStore data, long[] rows)
    {
        int batch = model.InferenceBatch;
        using var images = model.Images(data);
        double sum = 0;
        long pixels = 0;
        using var noGrad = no_grad();
        model.Model.eval();
        for (int start = 0; start < rows.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, rows.Length - start);
            var x = images.Batch(rows[start..(start + n)]);
            sum += Likelihood.MeanSquaredError(x, model.Inference.Reconstruct(x)).to(ScalarType.Float64).sum().item<double>();
            pixels += x.numel();
        }
        return sum / pixels;
    }
}
