namespace Sbvae.Data;

/// <summary>
/// The factor grid of a dSprites-style dataset: one value per class of each factor, and rows
/// in C order over the classes (the last factor varies fastest), as in the public dSprites file.
/// Row i's classes and values follow from i alone, so nothing per row is stored.
/// </summary>
public sealed class DSpritesFactors
{
    /// <summary>dSprites' column order: color, shape, scale, orientation, posX, posY.</summary>
    public static IReadOnlyList<string> DSpritesNames => ImageDataset.DSpritesFactorNames;

    public IReadOnlyList<string> Names { get; }
    /// <summary>Classes per factor.</summary>
    public IReadOnlyList<int> Sizes { get; }
    /// <summary>Rows in the full grid: the product of <see cref="Sizes"/>.</summary>
    public int Count { get; }

    readonly double[][] classValues;

    public DSpritesFactors(IReadOnlyList<string> names, IReadOnlyList<double[]> classValues)
    {
        if (names.Count != classValues.Count || names.Count == 0)
            throw new ArgumentException($"{names.Count} factor names for {classValues.Count} value lists");
        long count = 1;
        foreach (var v in classValues)
        {
            if (v.Length == 0)
                throw new ArgumentException("every factor needs at least one class");
            count *= v.Length;
            if (count > Array.MaxLength)
                throw new SbvaeException($"a factor grid of {count:N0}+ rows is more than this toolkit indexes");
        }
        Names = names.ToArray();
        this.classValues = classValues.Select(v => (double[])v.Clone()).ToArray();
        Sizes = this.classValues.Select(v => v.Length).ToArray();
        Count = (int)count;
    }

    public int NumFactors => Names.Count;

    /// <summary>The value that class <paramref name="c"/> of factor <paramref name="factor"/> stands for.</summary>
    public double Value(int factor, int c) => classValues[factor][c];

    public IReadOnlyList<double> ClassValues(int factor) => classValues[factor];

    /// <summary>Writes row <paramref name="row"/>'s class per factor (C-order unravel).</summary>
    public void Classes(int row, Span<long> classes)
    {
        CheckRow(row);
        if (classes.Length != NumFactors)
            throw new ArgumentException($"need room for {NumFactors} classes, got {classes.Length}");
        for (int j = NumFactors - 1; j >= 0; j--)
        {
            classes[j] = row % Sizes[j];
            row /= Sizes[j];
        }
    }

    public void Values(int row, Span<double> values)
    {
        Span<long> c = stackalloc long[NumFactors];
        Classes(row, c);
        for (int j = 0; j < NumFactors; j++) values[j] = classValues[j][c[j]];
    }

    /// <summary>The row holding these classes (C-order ravel).</summary>
    public int Row(ReadOnlySpan<long> classes)
    {
        if (classes.Length != NumFactors)
            throw new ArgumentException($"expected {NumFactors} classes, got {classes.Length}");
        long row = 0;
        for (int j = 0; j < NumFactors; j++)
        {
            if (classes[j] < 0 || classes[j] >= Sizes[j])
                throw new ArgumentOutOfRangeException(nameof(classes), $"{Names[j]} class {classes[j]} is outside 0..{Sizes[j] - 1}");
            row = row * Sizes[j] + classes[j];
        }
        return (int)row;
    }

    void CheckRow(int row)
    {
        if ((uint)row >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside 0..{Count - 1}");
    }
}
