using System.Globalization;

namespace Sbvae.Reports;

/// <summary>
/// A short plain-language reading of a comparison, written from the numbers so that it says
/// what this run shows, not what the paper expects.
/// </summary>
public static class ReportReading
{
    public static IReadOnlyList<string> Sentences(ComparisonReport r)
    {
        var lines = new List<string>();
        var sbd = r.Models.FirstOrDefault(m => m.Label == "spatial broadcast");
        var deconv = r.Models.FirstOrDefault(m => m.Label == "deconv");
        if (sbd is null || deconv is null) return lines;
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

        double ratio = sbd.FinalReconstruction / deconv.FinalReconstruction;
        lines.Add(ratio < 0.95
            ? $"Reconstruction: the spatial broadcast decoder reconstructs better, {F(sbd.FinalReconstruction)} against {F(deconv.FinalReconstruction)} per image ({F((1 - ratio) * 100)}% lower), as the paper reports."
            : ratio > 1.05
                ? $"Reconstruction: here the deconv decoder reconstructs better ({F(deconv.FinalReconstruction)} against {F(sbd.FinalReconstruction)}), unlike the paper; more epochs usually reverse this."
                : $"Reconstruction: both decoders end close ({F(sbd.FinalReconstruction)} and {F(deconv.FinalReconstruction)} per image).");
        lines.Add($"KL: {F(sbd.FinalKl)} (spatial broadcast) and {F(deconv.FinalKl)} (deconv) nats per image: the information each model puts in its code.");
        if (double.IsFinite(sbd.GeometryR2) && double.IsFinite(deconv.GeometryR2))
        {
            string which = sbd.GeometryR2 > deconv.GeometryR2 ? "spatial broadcast" : "deconv";
            if (Math.Max(sbd.GeometryR2, deconv.GeometryR2) < 0.8)
                lines.Add($"Latent geometry: neither code keeps the (x, y) grid well yet: the best affine map from the true grid to the two most informative latents explains {F(sbd.GeometryR2 * 100)}% (spatial broadcast) and {F(deconv.GeometryR2 * 100)}% (deconv) of the variance.");
            else lines.Add($"Latent geometry: the best affine map from the true (x, y) grid to the two most informative latents explains {F(sbd.GeometryR2 * 100)}% (spatial broadcast) and {F(deconv.GeometryR2 * 100)}% (deconv) of the variance; the {which} model keeps the grid's shape better — compare the panels of the geometry figure, where a disentangled code shows the grid up to rotation and shear and an entangled one twists it.");
        }
        foreach (var name in sbd.Metrics.Keys.Intersect(deconv.Metrics.Keys))
        {
            double a = sbd.Metrics[name], b = deconv.Metrics[name];
            if (!double.IsFinite(a) || !double.IsFinite(b)) continue;
            if (name.Equals("mig", StringComparison.OrdinalIgnoreCase))
                lines.Add($"MIG (how much one latent alone captures each factor): {F(a)} against {F(b)}.");
        }
        lines.Add($"Cost: the spatial broadcast model trained at {sbd.ImagesPerSecond:F0} images/s and the deconv model at {deconv.ImagesPerSecond:F0} images/s; the broadcast decoder has fewer parameters but convolves at full resolution.");
        return lines;
    }
}
