using Sbvae.Training;

namespace Sbvae.Runs;

/// <summary>A training to show: its title, its length (epochs or steps), the state it starts from (null: a new run), and the call that trains it with the given callbacks.</summary>
public sealed record ShownRun(string Title, TrainConfig Plan, TrainingState? From, Func<Action<StepProgress>, Action<EpochRecord>, TrainOutcome> Train)
{
    /// <summary>The bar's length in the run's unit: steps for a steps run, else epochs.</summary>
    public long Total => Plan.Steps ?? Plan.Epochs;
    /// <summary>Where the bar starts, in the same unit.</summary>
    public double First => Plan.BySteps() ? From?.GlobalStep ?? 0 : From?.Epoch ?? 0;
    /// <summary>Where a step leaves the run, in the same unit.</summary>
    public double At(StepProgress s) => Plan.BySteps() ? s.GlobalStep : s.Epoch + (double)s.Step / s.StepsPerEpoch;
}
