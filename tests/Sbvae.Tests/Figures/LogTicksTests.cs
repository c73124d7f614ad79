using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class LogTicksTests
{
    [Fact]
    public void Wide_ranges_get_decades()
    {
        Assert.Equal([1, 10, 100, 1000], LogTicks.Values(0.5, 2000));
    }

    [Fact]
    public void Ranges_of_about_a_decade_get_round_mantissas()
    {
        Assert.Equal([20, 30, 50, 100], LogTicks.Values(17, 180));
    }

    [Fact]
    public void Narrow_ranges_fall_back_to_even_steps_inside_the_range()
    {
        List<double> ticks = LogTicks.Values(41, 52);
        Assert.True(ticks.Count >= 3, string.Join(", ", ticks));
        Assert.All(ticks, t => Assert.InRange(t, 41 / 1.05, 52 * 1.05));
        double step = ticks[1] - ticks[0];
        for (int i = 2; i < ticks.Count; i++) Assert.Equal(step, ticks[i] - ticks[i - 1], 9);
    }
}
