namespace Sbvae.Training;

/// <summary>What a training option's value is; it fixes how the command line parses it and how a plan writes it.</summary>
public enum OptionKind { Integer, Number, Text, Flag, Path }

/// <summary>
/// How `sbvae import` takes an option, with the description its help shows. Inferred: read from
/// the weights, a given value is checked against them. Stated: the weights do not hold it, so the
/// given value (or the default) is taken.
/// </summary>
public sealed record ImportUse(string Description, bool IsInferred)
{
    public static ImportUse Inferred(string description) => new(description, true);
    public static ImportUse Stated(string description) => new(description, false);
}

/// <summary>
/// One option of `sbvae train`, declared once in <see cref="TrainingOptions"/>: its name
/// (--kebab-case on the command line, snake_case as a plan key), the kind of value, its
/// description, and the field of <see cref="RunConfig"/> it reads and writes. Its default is that
/// field's default in the config records.
/// </summary>
public abstract class TrainingOption
{
    private protected TrainingOption(string name, OptionKind kind, string description, bool isModel, bool resumable, ImportUse? import, string? alias)
    {
        (Name, Kind, Description, IsModel, Resumable, Import, Alias) = (name, kind, description, isModel, resumable, import, alias);
    }

    /// <summary>kebab-case, without the dashes: "checkpoint-every".</summary>
    public string Name { get; }
    public string Flag => "--" + Name;
    public string Key => Name.Replace('-', '_');
    /// <summary>Another plan key for it: the field's own name in config.json where that differs (learning_rate).</summary>
    public string? Alias { get; }
    public OptionKind Kind { get; }
    public string Description { get; }
    /// <summary>It sets a <see cref="ModelConfig"/> field (else a <see cref="TrainConfig"/> one).</summary>
    public bool IsModel { get; }
    /// <summary>`train --resume` may change it: how long a run trains and how it computes, never what it learns.</summary>
    public bool Resumable { get; }
    /// <summary>How `import` takes it; null: it does not, and an imported run gets the default.</summary>
    public ImportUse? Import { get; }

    public object? DefaultValue => ValueIn(RunConfig.Default);
    public abstract object? ValueIn(RunConfig config);
    /// <summary><paramref name="config"/> with this option set; <paramref name="value"/> is of the option's type.</summary>
    public abstract RunConfig With(RunConfig config, object? value);

    public override string ToString() => Flag;
}

/// <summary>A <see cref="TrainingOption"/> whose values are <typeparamref name="T"/> (int, double, string or bool, or a nullable number).</summary>
public sealed class TrainingOption<T> : TrainingOption
{
    readonly Func<RunConfig, T> get;
    readonly Func<RunConfig, T, RunConfig> set;

    internal TrainingOption(string name, OptionKind kind, string description, bool isModel, Func<RunConfig, T> get, Func<RunConfig, T, RunConfig> set,
        bool resumable = false, ImportUse? import = null, string? alias = null)
        : base(name, kind, description, isModel, resumable, import, alias)
    {
        // A mismatch would only show when a value of the wrong type is cast: refuse it when declared.
        Type expected = kind switch
        {
            OptionKind.Integer => typeof(int),
            OptionKind.Number => typeof(double),
            OptionKind.Flag => typeof(bool),
            _ => typeof(string),
        };
        // Nullable numbers: absent means the method's own default (see ModelConfig).
        if (typeof(T) != expected && Nullable.GetUnderlyingType(typeof(T)) != expected) throw new ArgumentException($"--{name}: a {kind} option holds {expected.Name}, not {typeof(T).Name}");
        (this.get, this.set) = (get, set);
    }

    public T Default => get(RunConfig.Default);
    public T Get(RunConfig config) => get(config);
    public RunConfig Set(RunConfig config, T value) => set(config, value);

    public override object? ValueIn(RunConfig config) => get(config);
    public override RunConfig With(RunConfig config, object? value) => set(config, (T)value!);
}
