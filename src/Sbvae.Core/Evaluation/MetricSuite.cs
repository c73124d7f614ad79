namespace Sbvae.Evaluation;

/// <summary>Sample sizes of the metric suite; defaults are disentanglement_lib's (SPEC §7).</summary>
public sealed record MetricSizes
{
    public int MigPoints { get; init; } = 10000;
    public int MigBins { get; init; } = 20;
    public int Train { get; init; } = 10000;
    public int Test { get; init; } = 5000;
    public int VoteBatch { get; init; } = 64;
    public int DciTrees { get; init; } = 100;

    /// <summary>Smaller samples for quick looks (e.g. `compare --quick`).</summary>
    public MetricSizes Scaled(double f) => this with
    {
        MigPoints = Math.Max(100, (int)(MigPoints * f)),
        Train = Math.Max(100, (int)(Train * f)),
        Test = Math.Max(50, (int)(Test * f)),
    };
}

/// <summary>
/// Runs the chosen metrics on one representation and returns flat name → value scores
/// (mig, dci_disentanglement, dci_completeness, dci_informativeness, factorvae, sap, betavae).
/// </summary>
public static class MetricSuite
{
    public static readonly string[] All = ["mig", "dci", "factorvae", "sap", "betavae"];

    public static IReadOnlyList<string> Parse(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).ToList();
        foreach (var n in names)
            if (!All.Contains(n) && n != "geometry")
                throw new SbvaeException($"unknown metric '{n}' (use {string.Join(", ", All)}, geometry)");
        if (names.Count == 0) throw new SbvaeException("no metrics named");
        return names;
    }

    /// <summary>
    /// Metrics on i.i.d. samples of the factors, each from its own seeded generator;
    /// <paramref name="starting"/> hears each metric's name before it runs (some take minutes on a large store).
    /// </summary>
    public static Dictionary<string, double> Sampled(IGroundTruthData data, Representation rep, IEnumerable<string> metrics, int seed, MetricSizes sizes,
        Action<string>? starting = null)
    {
        var scores = new Dictionary<string, double>();
        foreach (var name in metrics)
        {
            starting?.Invoke(name);
            var rng = new Random(unchecked(seed * 1_000_003 + Array.IndexOf(All, name))); // per metric, stable across runs
            switch (name)
            {
                case "mig":
                    scores["mig"] = Mig.Compute(data, rep, rng, sizes.MigPoints, sizes.MigBins).Score;
                    break;
                case "dci":
                    var dci = Dci.Compute(data, rep, rng, sizes.Train, sizes.Test, sizes.DciTrees);
                    scores["dci_disentanglement"] = dci.Disentanglement;
                    scores["dci_completeness"] = dci.Completeness;
                    scores["dci_informativeness"] = dci.Informativeness;
                    break;
                case "factorvae":
                    scores["factorvae"] = FactorVaeScore.Compute(data, rep, rng, sizes.VoteBatch, sizes.Train, sizes.Test, sizes.MigPoints).EvalAccuracy;
                    break;
                case "sap":
                    scores["sap"] = Sap.Compute(data, rep, rng, sizes.Train, sizes.Test).Score;
                    break;
                case "betavae":
                    scores["betavae"] = BetaVaeScore.Compute(data, rep, rng, sizes.VoteBatch, sizes.Train, sizes.Test).EvalAccuracy;
                    break;
            }
        }
        return scores;
    }

    /// <summary>
    /// The metrics that need only (code, factor) pairs, on every row once, in order, so other
    /// tools can reproduce them exactly: MIG on all rows; DCI and SAP trained on the first two
    /// thirds of the rows and tested on the last third (the 10,000 / 5,000 proportion).
    /// </summary>
    public static Dictionary<string, double> AllPoints(float[][] codes, int[][] factors, IEnumerable<string> metrics, MetricSizes sizes)
    {
        int split = (int)Math.Ceiling(codes.Length * 2 / 3.0);
        var (trC, trF, teC, teF) = (codes[..split], factors[..split], codes[split..], factors[split..]);
        var scores = new Dictionary<string, double>();
        foreach (var name in metrics)
        {
            switch (name)
            {
                case "mig":
                    scores["mig"] = Mig.FromCodes(codes, factors, sizes.MigBins).Score;
                    break;
                case "dci":
                    var dci = Dci.FromCodes(trC, trF, teC, teF, sizes.DciTrees);
                    scores["dci_disentanglement"] = dci.Disentanglement;
                    scores["dci_completeness"] = dci.Completeness;
                    scores["dci_informativeness"] = dci.Informativeness;
                    break;
                case "sap":
                    scores["sap"] = Sap.FromCodes(trC, trF, teC, teF).Score;
                    break;
                default:
                    throw new SbvaeException($"--all-points works for mig, dci and sap only; {name} needs sampled observations");
            }
        }
        return scores;
    }

    /// <summary>A representation that looks sampled factor rows up in a table of codes (one per dataset row).</summary>
    public static Representation Lookup(InMemoryGroundTruth truth, float[][] codesByRow) => (factors, _) =>
        truth.IndicesOf(factors).Select(i => codesByRow[i]).ToArray();
}
