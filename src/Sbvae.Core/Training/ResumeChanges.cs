namespace Sbvae.Training;

/// <summary>
/// What a resumed run may change: how long it trains and how it computes, never what it
/// learns from. Null keeps the run's own setting. The continuation is bit-for-bit the
/// uninterrupted run only when threads and precision stay the same.
/// </summary>
public sealed record ResumeChanges(int? Epochs = null, int? Threads = null, string? Precision = null)
{
    public TrainConfig Apply(TrainConfig train) => train with
    {
        Epochs = Epochs ?? train.Epochs,
        Threads = Threads ?? train.Threads,
        Precision = Precision ?? train.Precision,
    };
}
