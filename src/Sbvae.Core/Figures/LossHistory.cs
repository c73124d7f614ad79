namespace Sbvae.Figures;

/// <summary>Per-epoch averages (per image) of the two loss terms of one trained model.</summary>
public sealed record LossHistory(string Model, double[] Kl, double[] Reconstruction)
{
    /// <summary>Curves of one group (e.g. the seeds of one configuration) share a colour and a legend entry; null: a colour of its own.</summary>
    public int? Group { get; init; }
}
