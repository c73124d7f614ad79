namespace Sbvae.Training;

/// <summary>
/// The average loss terms of one losses.csv row (an epoch, or a steps run's --log-every steps), per image, in SPEC §4 units; <see cref="Terms"/>: the other
/// averages the run logs (mse, the mean image's squared error per pixel; the objective's own values).
/// </summary>
public sealed record EpochRecord(int Epoch, double Kl, double Reconstruction, double Loss, double Seconds, double ImagesPerSecond)
{
    /// <summary>The run's global step at the row's end; <see cref="Epoch"/> is the (1-based) epoch of that step.</summary>
    public long Step { get; init; }
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
    /// <summary>Sums over the images seen so far in the current losses.csv row (the epoch, or the steps since the last row).</summary>
    public double EpochKlSum { get; init; }
    public double EpochReconSum { get; init; }
    public double EpochLossSum { get; init; }
    /// <summary>The other logged terms' sums, by name.</summary>
    public Dictionary<string, double> EpochTermSums { get; init; } = [];
    public long EpochImages { get; init; }
    public double EpochSeconds { get; init; }
    public List<EpochRecord> History { get; init; } = [];
}
