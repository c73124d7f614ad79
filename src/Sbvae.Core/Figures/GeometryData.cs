namespace Sbvae.Figures;

/// <summary>
/// One model's encoding of the grid images for SPEC §6.3: Points[i] holds latent means
/// (μ[DimA], μ[DimB]) of grid image i, in the same order as the ground-truth points.
/// LineIds[i] is the grid line of image i (normally the same array as the ground truth's);
/// a crossing point belongs to two lines and carries one of the ids — it is drawn on that
/// line only. AffineR2 is the fit of the best affine map from latents to (x, y), if known.
/// </summary>
public sealed record GeometryData(string Model, double[][] Points, int[] LineIds, int DimA, int DimB, double? AffineR2);
