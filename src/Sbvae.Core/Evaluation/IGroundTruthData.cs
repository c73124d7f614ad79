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
}

/// <summary>
/// Maps factor rows to codes (encoder means): codes[i] is the representation of an
/// observation with factors[i]. Rendering or looking up that observation is the caller's
/// business, which keeps the metrics free of any model or image code.
/// </summary>
public delegate float[][] Representation(int[][] factors, Random rng);
