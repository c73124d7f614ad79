using Sbvae.Evaluation;

namespace Sbvae.Tests.Evaluation;

public class LinearProbeTests
{
    static (float[][] Codes, double[][] Xy) Points(Func<double, double, Random, float[]> code, int n = 300)
    {
        var rng = new Random(5);
        var xy = Enumerable.Range(0, n).Select(_ => new[] { rng.NextDouble(), rng.NextDouble() }).ToArray();
        return (xy.Select(p => code(p[0], p[1], rng)).ToArray(), xy);
    }

    [Fact]
    public void ALinearCodeOfPositionScoresOneANoiseCodeNothing()
    {
        var (linear, xy) = Points((x, y, _) => [(float)(2 * x - y), 0.5f, (float)(x + 3 * y)]);
        Assert.Equal(1.0, LinearProbe.HeldOutR2(linear, xy), 6);
        var (noise, xy2) = Points((_, _, r) => [(float)r.NextDouble(), (float)r.NextDouble()]);
        Assert.InRange(LinearProbe.HeldOutR2(noise, xy2), -0.2, 0.1);
    }

    [Fact]
    public void OnlyOneCoordinateEncodedExplainsAboutHalf()
    {
        var (codes, xy) = Points((x, _, _) => [(float)x]);
        Assert.InRange(LinearProbe.HeldOutR2(codes, xy), 0.4, 0.6);
        Assert.True(LinearProbe.HeldOutR2(codes, xy) < LinearProbe.EncodesPosition);
    }
}
