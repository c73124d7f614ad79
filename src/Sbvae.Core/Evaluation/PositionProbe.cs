using Sbvae.Data;

namespace Sbvae.Evaluation;

/// <summary>
/// The probe images of the geometry score, made like the training data: one object (every factor but
/// x and y at the class of the dataset's first image) at each position whose x and y lie in the
/// middle 60 % of their range (SPEC §6.3's grid spans [0.2, 0.8]). The images are the dataset's own
/// when it holds the full grid, else rendered by its generator; a dataset with neither gives up to
/// <see cref="MaxPoints"/> of its own images in that range, whatever their other factors.
/// Positions are rescaled to [0, 1] over the dataset's range, so the score does not depend on units.
/// </summary>
public sealed record PositionProbe(ImageDataset Images, double[][] Xy, string Source)
{
    public const double Low = 0.2, High = 0.8;
    public const int MaxPoints = 4096;

    /// <summary>The probe of <paramref name="data"/>, or null when it has no x and y factors.</summary>
    public static PositionProbe? For(ImageDataset data, int seed = 0)
    {
        if (PositionFactors.Of(data.FactorNames) is not var (xf, yf)) return null;
        if (data.Count == 0 || data.FactorSizes[xf] < 2 || data.FactorSizes[yf] < 2) return null;
        var (xLow, xHigh) = Range(data, xf);
        var (yLow, yHigh) = Range(data, yf);
        double[] Position(int row) => [(Value(data, row, xf) - xLow) / (xHigh - xLow), (Value(data, row, yf) - yLow) / (yHigh - yLow)];
        static bool Inside(double[] p) => p[0] >= Low - 1e-9 && p[0] <= High + 1e-9 && p[1] >= Low - 1e-9 && p[1] <= High + 1e-9;

        // Each probed position class with the normalised value a row of that class has.
        var xs = PositionClasses(data, xf, xLow, xHigh);
        var ys = PositionClasses(data, yf, yLow, yHigh);
        long[] template = data.Classes(0).ToArray();
        if (GridRows(data, template, xf, yf, xs, ys) is { } rows)
            return new PositionProbe(data.Subset(rows), [.. rows.Select(Position)], "the dataset's own images of one object");

        if (DatasetGenerators.Renderer(data.Generator, data) is { } render)
        {
            int side = data.Height, per = 3 * side * side;
            var pixels = new byte[xs.Count * ys.Count * per];
            var image = new float[per];
            var points = new List<double[]>();
            var rng = new Random(seed);
            int n = 0;
            foreach (var (xc, xv) in xs)
                foreach (var (yc, yv) in ys)
                {
                    template[xf] = xc;
                    template[yf] = yc;
                    render(template.Select(c => (int)c).ToArray(), rng, image);
                    // (3, H, W) floats of whole bytes / 255 back to (H, W, 3) bytes.
                    for (int c = 0; c < 3; c++)
                        for (int p = 0; p < side * side; p++)
                            pixels[n * per + p * 3 + c] = (byte)Math.Round(image[c * side * side + p] * 255);
                    points.Add([xv, yv]);
                    n++;
                }
            var values = points.SelectMany(p => p).ToArray();
            var images = new ImageDataset(n, side, side, 3, pixels, ["x", "y"], values, new long[n * 2]);
            return new PositionProbe(images, [.. points], $"one object rendered by the dataset's generator ({data.Generator})");
        }

        var order = Seeds.Permutation(data.Count, seed, 0).Select(i => (int)i).Where(i => Inside(Position(i))).Take(MaxPoints).ToArray();
        if (order.Length < 3) return null;
        return new PositionProbe(data.Subset(order), [.. order.Select(Position)], "the dataset's own images (all objects)");
    }

    /// <summary>The rows of the template object at every probed position, or null when one is missing (not a full grid).</summary>
    static int[]? GridRows(ImageDataset data, long[] template, int xf, int yf, List<(long Class, double Value)> xs, List<(long Class, double Value)> ys)
    {
        var rows = new List<int>();
        var classes = (long[])template.Clone();
        foreach (var (xc, _) in xs)
            foreach (var (yc, _) in ys)
            {
                (classes[xf], classes[yf]) = (xc, yc);
                int row = data.IndexOf(classes);
                if (row < 0) return null;
                rows.Add(row);
            }
        return [.. rows];
    }

    static double Value(ImageDataset data, int row, int factor) => data.FactorValues[(long)row * data.NumFactors + factor];

    static (double Low, double High) Range(ImageDataset data, int factor)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int i = 0; i < data.Count; i++)
        {
            double v = Value(data, i, factor);
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }
        return high > low ? (low, high) : (low, low + 1);
    }

    /// <summary>The classes of a position factor whose rescaled value is in [Low, High], with that value, in class order.</summary>
    static List<(long Class, double Value)> PositionClasses(ImageDataset data, int factor, double low, double high)
    {
        var byClass = new SortedDictionary<long, double>();
        for (int i = 0; i < data.Count; i++)
        {
            long c = data.FactorClasses[(long)i * data.NumFactors + factor];
            if (!byClass.ContainsKey(c)) byClass[c] = (Value(data, i, factor) - low) / (high - low);
        }
        return byClass.Where(p => p.Value >= Low - 1e-9 && p.Value <= High + 1e-9).Select(p => (p.Key, p.Value)).ToList();
    }
}
