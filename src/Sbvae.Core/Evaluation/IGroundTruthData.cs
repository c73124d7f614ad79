namespace Sbvae.Evaluation;

/// <summary>
/// The factors of variation of a dataset, as disentanglement_lib's <c>GroundTruthData</c>
/// (disentanglement_lib/data/ground_truth/ground_truth_data.py). Every factor is a class
/// index in [0, FactorsNumValues[j]). The random state is always passed in, so a metric
/// run is reproducible from its seed.
/// </summary>
public interface IGroundTruthData
{
    int NumFactors { get; }
    int[] FactorsNumValues { get; }

    /// <summary>n rows of NumFactors class indices.</summary>
    int[][] SampleFactors(int n, Random rng);

    /// <summary>n rows of class indices, each drawn uniformly and independently, as disentanglement_lib's grids sample.</summary>
    static int[][] Uniform(IGroundTruthData data, int n, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var rows = new int[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new int[data.NumFactors];
            for (int j = 0; j < data.NumFactors; j++) rows[i][j] = rng.Next(data.FactorsNumValues[j]);
        }
        return rows;
    }
}

/// <summary>
/// Maps factor rows to codes (encoder means): codes[i] is the representation of an
/// observation with factors[i]. Rendering or looking up that observation is the caller's
/// business, which keeps the metrics free of any model or image code.
/// </summary>
public delegate float[][] Representation(int[][] factors, Random rng);
