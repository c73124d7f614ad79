using System.Globalization;

namespace Sbvae.Data;

/// <summary>
/// A rectangle of the x–y factor plane (factor values in [0, 1], bounds inclusive): the
/// held-out region of the generalisation experiment. The default is the centre square
/// [0.35, 0.65]², about a tenth of the reference grid's positions.
/// </summary>
public sealed record FactorRegion(double XMin, double XMax, double YMin, double YMax)
{
    public static FactorRegion Centre { get; } = new(0.35, 0.65, 0.35, 0.65);

    /// <summary>Bounds are inclusive up to rounding, so a grid value such as 3·0.1 counts as 0.3.</summary>
    public bool Contains(double x, double y) =>
        x >= XMin - Slack && x <= XMax + Slack && y >= YMin - Slack && y <= YMax + Slack;

    const double Slack = 1e-9;

    /// <summary>Parses "x0,x1,y0,y1".</summary>
    public static FactorRegion Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var v = new double[parts.Length];
        if (parts.Length != 4 || parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i])).Any(ok => !ok))
            throw new SbvaeException($"a region is x0,x1,y0,y1 (four numbers), got '{text}'");
        var r = new FactorRegion(v[0], v[1], v[2], v[3]);
        r.Validate();
        return r;
    }

    public void Validate()
    {
        if (!(XMin >= 0 && XMax <= 1 && YMin >= 0 && YMax <= 1 && XMin < XMax && YMin < YMax))
            throw new SbvaeException($"region bounds must satisfy 0 ≤ x0 < x1 ≤ 1 and 0 ≤ y0 < y1 ≤ 1, got {this}");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"x ∈ [{XMin}, {XMax}], y ∈ [{YMin}, {YMax}]");
}
