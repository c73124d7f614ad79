using Sbvae.Training;

namespace Sbvae.Runs;

/// <summary>A training to show: its title, epoch count, where it starts, and the call that trains it with the given callbacks.</summary>
public sealed record ShownRun(string Title, int Epochs, int FirstEpoch, Func<Action<StepProgress>, Action<EpochRecord>, TrainOutcome> Train);
