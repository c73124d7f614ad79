namespace Sbvae.Runs;

/// <summary>How a comparison tells what it does; the command line passes its terminal display in.</summary>
public sealed class ComparisonProgress
{
    /// <summary>A line of news: a run already trained, runs sharing the cores, the report's path.</summary>
    public Action<string> Note { get; init; } = _ => { };

    /// <summary>Runs the trainings (one, or several side by side on threads of their own) while showing them; their outcomes in order.</summary>
    public Func<IReadOnlyList<ShownRun>, TrainOutcome[]> Show { get; init; } = runs => [.. runs.Select(r => r.Train(_ => { }, _ => { }))];

    /// <summary>Told each training's outcome once it has returned.</summary>
    public Action<TrainOutcome> Finished { get; init; } = _ => { };

    /// <summary>
    /// Wraps the training phase and hands it the token that stops it (the command line: Ctrl+C
    /// saves a checkpoint and stops, instead of ending the process); returns what it returns.
    /// </summary>
    public Func<Func<CancellationToken, bool>, bool> WhileTraining { get; init; } = train => train(CancellationToken.None);
}
