namespace Sbvae.Training;

/// <summary>
/// What a resumed run may change: the options declared <see cref="TrainingOption.Resumable"/>
/// (how long it trains and how it computes, never what it learns from). An option not set keeps
/// the run's own setting. The continuation is bit-for-bit the uninterrupted run only when threads
/// and precision stay the same.
/// </summary>
public sealed class ResumeChanges
{
    public static readonly ResumeChanges None = new([]);

    readonly IReadOnlyList<(TrainingOption Option, object? Value)> changes;

    ResumeChanges(IReadOnlyList<(TrainingOption, object?)> changes) => this.changes = changes;

    public ResumeChanges Set<T>(TrainingOption<T> option, T value) => Set((TrainingOption)option, value);

    public ResumeChanges Set(TrainingOption option, object? value)
    {
        if (!option.Resumable) throw new ArgumentException($"{option.Flag} cannot change when a run resumes", nameof(option));
        return new([.. changes.Where(c => c.Option != option), (option, value)]);
    }

    /// <summary>The changes that continue a run as <paramref name="config"/> plans it: every resumable option at its value there.</summary>
    public static ResumeChanges Toward(RunConfig config) =>
        TrainingOptions.All.Where(o => o.Resumable).Aggregate(None, (c, o) => c.Set(o, o.ValueIn(config)));

    /// <summary>Resumable options are training options only, so the model placed around <paramref name="train"/> is never read.</summary>
    public TrainConfig Apply(TrainConfig train) =>
        changes.Aggregate(RunConfig.Default with { Train = train }, (c, x) => x.Option.With(c, x.Value)).Train;
}
