using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>How the summary table writes a mean and its standard deviation.</summary>
public class SweepTableTests
{
    [Theory]
    [InlineData(13.8525, 0.1766, "13.85 ± 0.18")]
    [InlineData(19.3546, 1.571, "19.4 ± 1.6")]
    [InlineData(274.33, 25.2, "274 ± 25")]
    [InlineData(0.21345, 0.01234, "0.213 ± 0.012")]
    [InlineData(1234.5, 150, "1234 ± 150")]
    [InlineData(5.0, 0.0, "5 ± 0")]
    public void TheSdHasTwoSignificantDigitsAndTheMeanItsDecimalPlaces(double mean, double sd, string text) =>
        Assert.Equal(text, SweepTable.MeanSd(mean, sd));
}
