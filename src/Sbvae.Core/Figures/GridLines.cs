using ScottPlot;

namespace Sbvae.Figures;

/// <summary>
/// Colours and point order for the lines of the §6.3 grid, derived from the ground truth
/// alone so any id convention works: a line spread more along y than x is vertical (a blue
/// shade, darker for larger x), otherwise horizontal (a red shade, darker for larger y).
/// Points of a line are ordered along it so it can be drawn as a polyline, which makes a
/// twisted or folded embedding easy to see.
/// </summary>
internal sealed class GridLines
{
    static readonly Color Unknown = Colors.Gray;
    readonly Dictionary<int, (bool Vertical, Color Colour)> lines = [];
    readonly double[][] truth;

    public GridLines(double[][] groundTruth, int[] lineIds)
    {
        truth = groundTruth;
        var groups = lineIds.Select((id, i) => (id, i)).GroupBy(t => t.id, t => t.i)
            .Select(g => (Id: g.Key,
                          Vertical: Spread(g, 1) > Spread(g, 0),
                          MeanX: g.Average(i => groundTruth[i][0]),
                          MeanY: g.Average(i => groundTruth[i][1])))
            .ToList();
        var vertical = groups.Where(g => g.Vertical).OrderBy(g => g.MeanX).ToList();
        var horizontal = groups.Where(g => !g.Vertical).OrderBy(g => g.MeanY).ToList();
        for (int k = 0; k < vertical.Count; k++)
            lines[vertical[k].Id] = (true, Shade(Blues, k, vertical.Count));
        for (int k = 0; k < horizontal.Count; k++)
            lines[horizontal[k].Id] = (false, Shade(Reds, k, horizontal.Count));
    }

    public Color ColourOf(int id) => lines.TryGetValue(id, out var l) ? l.Colour : Unknown;

    /// <summary>Indices of the points with this id, sorted along the line's direction.</summary>
    public int[] Ordered(int[] ids, int id)
    {
        int axis = lines.TryGetValue(id, out var l) && l.Vertical ? 1 : 0;
        return [.. Enumerable.Range(0, ids.Length).Where(i => ids[i] == id).OrderBy(i => truth[i][axis])];
    }

    double Spread(IEnumerable<int> idx, int axis) =>
        idx.Max(i => truth[i][axis]) - idx.Min(i => truth[i][axis]);

    // Light-to-dark ends of ColorBrewer's Blues and Reds, skipping the near-white tints.
    static readonly (Color Light, Color Dark) Blues = (Plots.Rgb(107, 174, 214), Plots.Rgb(8, 48, 107));
    static readonly (Color Light, Color Dark) Reds = (Plots.Rgb(252, 146, 114), Plots.Rgb(103, 0, 13));

    static Color Shade((Color Light, Color Dark) family, int k, int n)
    {
        double t = n <= 1 ? 1 : k / (double)(n - 1);
        byte Mix(byte a, byte b) => (byte)Math.Round(a + (b - a) * t);
        return new Color(Mix(family.Light.R, family.Dark.R), Mix(family.Light.G, family.Dark.G), Mix(family.Light.B, family.Dark.B));
    }
}
