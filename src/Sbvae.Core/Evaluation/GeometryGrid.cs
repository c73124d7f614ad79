namespace Sbvae.Evaluation;

/// <summary>
/// The ground-truth grid of the latent-geometry figure (SPEC §6.3): 6 vertical and 6
/// horizontal lines at linspace(0.2, 0.8, 6), each of 31 points at linspace(0.2, 0.8, 31),
/// every crossing point once (6·31 + 6·31 − 36 = 336 points). The line positions fall on the
/// 31-point lattice (every 6th point), so crossings are found exactly by index.
/// </summary>
/// <param name="Points">(x, y) of each point: the vertical lines first, then the rest of the horizontal ones.</param>
/// <param name="LineIds">Colour id: vertical line a → a (0..5), horizontal line b → 6 + b; crossings take their vertical line.</param>
/// <param name="VerticalLine">Index of the vertical line through the point (0..5), or −1.</param>
/// <param name="HorizontalLine">Index of the horizontal line through the point (0..5), or −1.</param>
public sealed record GeometryGrid(double[][] Points, int[] LineIds, int[] VerticalLine, int[] HorizontalLine)
{
    public const int LinesPerDirection = 6;
    public const int PointsPerLine = 31;
    public const double Low = 0.2;
    public const double High = 0.8;
    private const int LineStride = (PointsPerLine - 1) / (LinesPerDirection - 1);

    public int Count => Points.Length;

    public static GeometryGrid Create()
    {
        var points = new List<double[]>();
        var ids = new List<int>();
        var vertical = new List<int>();
        var horizontal = new List<int>();
        for (int a = 0; a < LinesPerDirection; a++)
            for (int t = 0; t < PointsPerLine; t++)
            {
                points.Add([At(a * LineStride), At(t)]);
                ids.Add(a);
                vertical.Add(a);
                horizontal.Add(t % LineStride == 0 ? t / LineStride : -1);
            }
        for (int b = 0; b < LinesPerDirection; b++)
            for (int t = 0; t < PointsPerLine; t++)
            {
                if (t % LineStride == 0) continue; // crossing: already on a vertical line
                points.Add([At(t), At(b * LineStride)]);
                ids.Add(LinesPerDirection + b);
                vertical.Add(-1);
                horizontal.Add(b);
            }
        return new GeometryGrid([.. points], [.. ids], [.. vertical], [.. horizontal]);
    }

    private static double At(int latticeIndex) => Low + (High - Low) * latticeIndex / (PointsPerLine - 1);

    /// <summary>
    /// The two latent dimensions with the smallest mean log σ² over the grid images (the most
    /// informative ones; collapsed dimensions sit at log σ² ≈ 0), most informative first.
    /// </summary>
    public static (int First, int Second) MostInformativeDims(float[][] logVar)
    {
        if (logVar is null || logVar.Length == 0 || logVar[0] is null)
            throw new SbvaeException("need the log-variances of at least one image");
        int k = logVar[0].Length;
        if (k < 2) throw new SbvaeException("need at least two latent dimensions to plot the geometry");
        var mean = new double[k];
        foreach (var row in logVar)
        {
            if (row is null || row.Length != k) throw new SbvaeException("log-variance rows differ in width");
            for (int i = 0; i < k; i++) mean[i] += row[i];
        }
        var order = Enumerable.Range(0, k).OrderBy(i => mean[i]).ThenBy(i => i).ToArray();
        return (order[0], order[1]);
    }
}
