using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Interop;

/// <summary>
/// What the user asserts about a weight file: the decoder, and values of the training options
/// `import` takes (<see cref="TrainingOption.Import"/>). What is not given is inferred from the
/// weights or, where they do not hold it, keeps its default.
/// </summary>
public sealed class ImportOptions
{
    public DecoderKind? Decoder { get; init; }

    IReadOnlyList<(TrainingOption Option, object? Value)> Given { get; init; } = [];

    public ImportOptions With<T>(TrainingOption<T> option, T value) => With((TrainingOption)option, value);

    public ImportOptions With(TrainingOption option, object? value)
    {
        if (option.Import is null) throw new ArgumentException($"import does not take {option.Flag}", nameof(option));
        return new ImportOptions { Decoder = Decoder, Given = [.. Given.Where(g => g.Option != option), (option, value)] };
    }

    /// <summary>The value given for <paramref name="option"/>, if any.</summary>
    public bool TryGet<T>(TrainingOption<T> option, out T value)
    {
        foreach (var (o, v) in Given)
            if (o == option) { value = (T)v!; return true; }
        value = default!;
        return false;
    }

    /// <summary>
    /// The run's configuration from what the weights say (<paramref name="inferred"/>): stated
    /// options set, inferred ones checked, so an option marked inferred is never silently ignored.
    /// </summary>
    public RunConfig Apply(RunConfig inferred)
    {
        var config = inferred;
        foreach (var (option, value) in Given)
        {
            if (!option.Import!.IsInferred) config = option.With(config, value);
            else if (!Equals(option.ValueIn(inferred), value))
                throw new SbvaeException($"the weights give {option.Flag} {option.ValueIn(inferred)} but {option.Flag} {value} was given");
        }
        return config;
    }
}
