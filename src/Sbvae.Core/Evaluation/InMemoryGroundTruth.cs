namespace Sbvae.Evaluation;

/// <summary>
/// Ground truth built from the factor classes of a finite dataset (one row per image).
/// Like disentanglement_lib's grid datasets, <see cref="SampleFactors"/> draws each
/// factor i.i.d. uniform over its values; <see cref="IndicesOf"/> finds the dataset rows
/// holding sampled factors, so a representation can encode those images.
/// </summary>
public sealed class InMemoryGroundTruth : IGroundTruthData
{
    private readonly Dictionary<long, int> _rowOf = [];

    public InMemoryGroundTruth(int[][] classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Length == 0)
            throw new SbvaeException("ground truth needs at least one row of factor classes");
        NumFactors = classes[0]?.Length ?? 0;
        if (NumFactors == 0)
            throw new SbvaeException("ground truth needs at least one factor");
        FactorsNumValues = new int[NumFactors];
        foreach (var row in classes)
        {
            if (row is null || row.Length != NumFactors)
                throw new SbvaeException($"every ground-truth row must have {NumFactors} factors");
            for (int j = 0; j < NumFactors; j++)
            {
                if (row[j] < 0)
                    throw new SbvaeException($"factor classes must be >= 0, found {row[j]}");
                FactorsNumValues[j] = Math.Max(FactorsNumValues[j], row[j] + 1);
            }
        }
        for (int i = 0; i < classes.Length; i++)
            _rowOf.TryAdd(Key(classes[i]), i);
    }

    public int NumFactors { get; }
    public int[] FactorsNumValues { get; }

    public int[][] SampleFactors(int n, Random rng) => IGroundTruthData.Uniform(this, n, rng);


    /// <summary>Dataset row index of each factor row (the first such row if repeated).</summary>
    public int[] IndicesOf(int[][] factors)
    {
        ArgumentNullException.ThrowIfNull(factors);
        var idx = new int[factors.Length];
        for (int i = 0; i < factors.Length; i++)
        {
            if (factors[i] is null || factors[i].Length != NumFactors)
                throw new SbvaeException($"factor rows must have {NumFactors} entries");
            if (!_rowOf.TryGetValue(Key(factors[i]), out idx[i]))
                throw new SbvaeException($"no image in the dataset has factors [{string.Join(", ", factors[i])}]");
        }
        return idx;
    }

    // Mixed-radix number of a factor row; out-of-range classes map to -1 (never stored).
    private long Key(int[] row)
    {
        long key = 0;
        for (int j = 0; j < NumFactors; j++)
        {
            if (row[j] < 0 || row[j] >= FactorsNumValues[j]) return -1;
            key = checked(key * FactorsNumValues[j] + row[j]);
        }
        return key;
    }
}
