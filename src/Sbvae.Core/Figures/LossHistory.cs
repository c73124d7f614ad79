namespace Sbvae.Figures;

/// <summary>Per-epoch averages (per image) of the two loss terms of one trained model.</summary>
public sealed record LossHistory(string Model, double[] Kl, double[] Reconstruction);
