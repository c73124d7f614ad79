using Sbvae.Diagnostics;
using System.Diagnostics;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Tests.Diagnostics;

/// <summary>The measured part of a bench or profile run starts after its warm-up steps and its minimum warm-up time.</summary>
public class ReferenceRunTests
{
    [Theory]
    [InlineData(1, 0.6)] // the time floor decides: far more than one step
    [InlineData(4, 0.0)] // the step count decides
    public void MeasuresTheGivenStepsAfterTheWarmUp(int warmup, double minSeconds)
    {
        using var run = new ReferenceRun(DecoderKind.Deconv, 5, 4, "fp32");
        var clock = Stopwatch.StartNew();
        int steps = 0, before = -1;
        TimeSpan startedAt = default;
        run.Trainer.StepCompleted += _ => steps++;
        run.Run(warmup, 3, TimeSpan.FromSeconds(minSeconds), () => (before, startedAt) = (steps, clock.Elapsed));

        Assert.True(startedAt >= TimeSpan.FromSeconds(minSeconds), $"measuring began after {startedAt.TotalSeconds:F2} s");
        Assert.True(before >= warmup, $"after {before} warm-up steps");
        if (minSeconds == 0) Assert.Equal(warmup, before);
        else Assert.True(before > warmup, "the minimum time kept the warm-up going");
        Assert.Equal(before + 3, steps);
    }
}
