using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>Each sweep run records its CPU time in its folder; a re-run that does nothing adds none; aggregate sums it.</summary>
public class SweepCpuTimeTests
{
    [Fact]
    public void RunsRecordTheirCpuTimeAndTheSummarySumsIt()
    {
        string root = TestData.TempDir("sweep-cpu");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """
            {"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "batch": 16, "decoder": "deconv"},
             "axes": {"seed": [0, 1]}, "metrics": ["mig"], "metric_samples": 0.01}
            """);
        var r = Cli.Run("sweep", planFile, "--out", dir, "--threads", "1", "--jobs", "2");
        Assert.True(r.ExitCode == 0, r.Err);
        var plan = SweepPlan.Load(planFile);
        var seconds = plan.Entries.Select(e => RunCpuTime.Read(SweepRunner.EntryDir(dir, e))).ToList();
        Assert.All(seconds, s => Assert.True(s is > 0, $"recorded {s}"));

        Assert.Equal(0, Cli.Run("sweep", planFile, "--out", dir, "--threads", "1").ExitCode);
        Assert.Equal(seconds, plan.Entries.Select(e => RunCpuTime.Read(SweepRunner.EntryDir(dir, e))).ToList());

        string prefix = Path.Combine(root, "summary");
        Assert.Equal(0, Cli.Run("aggregate", dir, "--out", prefix).ExitCode);
        double hours = seconds.Sum()!.Value / 3600;
        Assert.Contains($"CPU time: {hours:F2} CPU-hours over the 2 finished runs", File.ReadAllText(prefix + ".md"));
    }
}
