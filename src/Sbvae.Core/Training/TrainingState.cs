namespace Sbvae.Training;

/// <summary>
/// The average loss terms of one epoch, per image, in SPEC §4 units; <see cref="Terms"/>: the other
/// averages the run logs (mse, the mean image's squared error per pixel; the objective's own values).
/// </summary>
public sealed record EpochRecord(int Epoch, double Kl, double Reconstruction, double Loss, double Seconds, double ImagesPerSecond)
{
    public Dictionary<string, double> Terms { get; init; } = [];
}

/// <summary>
/// Where training stands: enough, with the weights and the optimizer, to continue exactly.
/// Shuffle and noise are functions of (seed, epoch, step), so no generator state is needed.
/// </summary>
public sealed record TrainingState
{
    /// <summary>Completed epochs.</summary>
    public int Epoch { get; init; }
    /// <summary>Steps already taken in the current (incomplete) epoch.</summary>
    public int StepInEpoch { get; init; }
    public long GlobalStep { get; init; }
    /// <summary>Sums over the images seen so far in the current epoch.</summary>
    public double EpochKlSum { get; init; }
    public double EpochReconSum { get; init; }
    public double EpochLossSum { get; init; }
    /// <summary>The other logged terms' sums, by name.</summary>
    public Dictionary<string, double> EpochTermSums { get; init; } = [];
    public long EpochImages { get; init; }
    public double EpochSeconds { get; init; }
    public List<EpochRecord> History { get; init; } = [];
}
