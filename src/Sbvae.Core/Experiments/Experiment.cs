using Sbvae.Data;

namespace Sbvae.Experiments;

/// <summary>The paper's experiments beyond the reference comparison.</summary>
public enum ExperimentKind
{
    /// <summary>Train without a region of the x–y plane; compare reconstructions inside and outside it.</summary>
    HeldOut,
    /// <summary>Objects a few pixels wide, where the paper reports the largest benefit of the broadcast decoder.</summary>
    Small,
    /// <summary>Colour correlated with position in the training data; scored on the independent grid.</summary>
    Dependent,
}

/// <summary>Settings of the experiments' datasets; defaults are the ones the reports quote.</summary>
public sealed record ExperimentOptions
{
    public FactorRegion Region { get; init; } = FactorRegion.Centre;
    /// <summary>Probability of dropping an image whose colour is not its x band's colour.</summary>
    public double Strength { get; init; } = 0.9;
    /// <summary>Object size in pixels for the small-objects dataset (the reference uses 16 at 64 px).</summary>
    public int ObjectSize { get; init; } = 4;
    public int Seed { get; init; }

    public void Validate()
    {
        Region.Validate();
        if (ObjectSize < 1) throw new SbvaeException($"object size must be at least 1 pixel, got {ObjectSize}");
        if (!(Strength is >= 0 and <= 1)) throw new SbvaeException($"strength must be in [0, 1], got {Strength}");
    }
}

/// <summary>
/// An experiment's data: what the models train on, the full independent grid the figures and
/// scores use, and (held-out only) the images of the excluded region.
/// </summary>
public sealed record ExperimentData(ImageDataset Train, ImageDataset Full, ImageDataset? HeldOut, string Description)
{
    /// <param name="baseData">the full grid to start from (the reference circles by default); ignored by Small, which renders its own</param>
    public static ExperimentData Build(ExperimentKind kind, ExperimentOptions options, ImageDataset? baseData = null)
    {
        switch (kind)
        {
            case ExperimentKind.HeldOut:
            {
                var full = baseData ?? ImageDataset.Reference();
                Need(full, kind, "x", "y");
                options.Region.Validate();
                var (train, held) = DatasetSubsets.SplitRegion(full, options.Region);
                return new ExperimentData(train, full, held,
                    $"trained on the {train.Count} images outside {options.Region}; the {held.Count} images inside were never seen");
            }
            case ExperimentKind.Small:
            {
                if (options.ObjectSize < 1) throw new SbvaeException($"object size must be at least 1 pixel, got {options.ObjectSize}");
                var spec = new SpriteSpec { Sizes = [options.ObjectSize] };
                var full = SpriteGenerator.Generate(spec);
                return new ExperimentData(full, full, null,
                    $"{full.Count} images of {options.ObjectSize}-pixel circles on {spec.ImgSize}-pixel images ({spec.NumPos}×{spec.NumPos} positions, {spec.Colors.Count} colours)");
            }
            case ExperimentKind.Dependent:
            {
                var full = baseData ?? ImageDataset.Reference();
                Need(full, kind, "x", "y", "color");
                var train = DatasetSubsets.DependentColour(full, options.Strength, options.Seed);
                return new ExperimentData(train, full, null,
                    $"{train.Count} of the {full.Count} images, colour following the x band with dependence {options.Strength} " +
                    "(an image with another band's colour is dropped with that probability); figures and scores use the full independent grid");
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>The experiment a name ("heldout", "small", "dependent") means.</summary>
    public static ExperimentKind Parse(string name) =>
        Enum.GetValues<ExperimentKind>().FirstOrDefault(k => Name(k) == name.Trim().ToLowerInvariant(), (ExperimentKind)(-1)) is var k && Enum.IsDefined(k)
            ? k : throw new SbvaeException($"unknown experiment '{name}' (use heldout, small, dependent)");
    /// <summary>Refuses, in one line, a dataset without the factors the experiment needs.</summary>
    static void Need(ImageDataset data, ExperimentKind kind, params string[] factors)
    {
        var missing = factors.Where(f => !data.FactorNames.Contains(f)).ToList();
        if (missing.Count == 0) return;
        string has = data.FactorNames.Length == 0 ? "none" : string.Join(", ", data.FactorNames);
        throw new SbvaeException($"experiment {Name(kind)} needs the factors {string.Join(", ", factors)}; the dataset lacks {string.Join(", ", missing)} (its factors: {has})");
    }

    public static string Name(ExperimentKind kind) => kind switch
    {
        ExperimentKind.HeldOut => "heldout",
        ExperimentKind.Small => "small",
        _ => "dependent",
    };
}
