using System.Globalization;
using Sbvae.Checkpoints;
using Sbvae.Sweeps;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Sweeps;

/// <summary>
/// A tiny sweep (2 seeds × 2 decoders × 1 epoch on 16-pixel images) through the command line:
/// one --index, an interrupted and a deleted entry that are continued while finished ones are
/// skipped, local worker processes, and the aggregated table.
/// </summary>
public class SweepEndToEndTests
{
    const string PlanJson = """
        {"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "batch": 16, "threads": 1},
         "axes": {"seed": [0, 1], "decoder": ["sbd", "deconv"]},
         "metrics": ["mig"], "metric_samples": 0.01}
        """;

    static string[] Args(string s) => s.Split(' ');

    static EpochRecord Final(string runDir) => RunFolder.Open(runDir).LoadCheckpoint().State.History[^1];

    [Fact]
    public void SweepResumesSkipsFinishedEntriesAndAggregates()
    {
        string root = TestData.TempDir("sweep");
        var data = TestData.Tiny();
        data.Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, PlanJson);
        var plan = SweepPlan.Load(planFile);
        string Entry(int i) => SweepRunner.EntryDir(dir, plan.Entries[i]);

        // --index runs exactly one entry
        var one = Cli.Run(Args($"sweep {planFile} --out {dir} --index 1 --threads 1"));
        Assert.True(one.ExitCode == 0, one.Err);
        Assert.Equal([Entry(1)], Directory.GetDirectories(dir));
        Assert.True(File.Exists(Path.Combine(Entry(1), SweepRunner.MetricsFile)));
        byte[] finished = File.ReadAllBytes(Path.Combine(Entry(1), "checkpoint.safetensors"));

        // entry 2 is interrupted after two of its five steps
        using (var cts = new CancellationTokenSource())
        {
            int steps = 0;
            var cut = TrainingSession.Start(Entry(2), plan.Entries[2].Config(16), data, _ => { if (++steps == 2) cts.Cancel(); }, cancel: cts.Token);
            Assert.False(cut.Completed);
        }

        var all = Cli.Run(Args($"sweep {planFile} --out {dir} --threads 1"));
        Assert.True(all.ExitCode == 0, all.Err);
        Assert.Contains($"[0] {plan.Entries[0].Name}: trained 1 epochs", all.Out);
        Assert.Contains($"[1] {plan.Entries[1].Name}: already trained", all.Out);
        Assert.Contains($"[2] {plan.Entries[2].Name}: resumed at epoch 0", all.Out);
        Assert.Contains($"[3] {plan.Entries[3].Name}: trained 1 epochs", all.Out);
        Assert.Equal(finished, File.ReadAllBytes(Path.Combine(Entry(1), "checkpoint.safetensors")));

        // the continued entry ends where an uninterrupted run of the same configuration ends
        string straight = Path.Combine(root, "straight");
        TrainingSession.Start(straight, plan.Entries[2].Config(16), data, cancel: TestContext.Current.CancellationToken);
        Assert.Equal(Final(straight).Reconstruction, Final(Entry(2)).Reconstruction, 9);
        Assert.Equal(Final(straight).Kl, Final(Entry(2)).Kl, 9);

        // a deleted entry is trained again by worker processes; the others are left alone
        EpochRecord before = Final(Entry(3));
        Directory.Delete(Entry(3), recursive: true);
        var workers = Cli.Run(Args($"sweep {planFile} --out {dir} --jobs 2 --threads 1"));
        Assert.True(workers.ExitCode == 0, workers.Err);
        Assert.Contains($"[0] {plan.Entries[0].Name}: already done", workers.Out);
        Assert.Contains($"[3] {plan.Entries[3].Name}: trained 1 epochs", workers.Out);
        Assert.Equal(before.Reconstruction, Final(Entry(3)).Reconstruction, 9);
        Assert.Equal(finished, File.ReadAllBytes(Path.Combine(Entry(1), "checkpoint.safetensors")));

        // the table: one row per decoder, mean ± sd over the two seeds
        string prefix = Path.Combine(root, "summary");
        var agg = Cli.Run("aggregate", dir, "--out", prefix);
        Assert.True(agg.ExitCode == 0, agg.Err);
        var csv = File.ReadAllLines(prefix + ".csv");
        var header = csv[0].Split(',');
        Assert.Equal(3, csv.Length);
        foreach (var (row, decoder, seeds) in new[] { (csv[1], "sbd", new[] { 0, 2 }), (csv[2], "deconv", new[] { 1, 3 }) })
        {
            var cells = row.Split(',');
            string Cell(string column) => cells[Array.IndexOf(header, column)];
            double Num(string column) => double.Parse(Cell(column), CultureInfo.InvariantCulture);
            Assert.Equal($"decoder={decoder}", Cell("configuration"));
            Assert.Equal("2", Cell("n"));
            var recon = seeds.Select(i => Final(Entry(i)).Reconstruction).ToArray();
            Assert.Equal(recon.Average(), Num("reconstruction_mean"), 9);
            Assert.Equal(Math.Abs(recon[0] - recon[1]) / Math.Sqrt(2), Num("reconstruction_sd"), 9);
            Assert.InRange(Num("mig_mean"), 0, 1);
            Assert.True(Num("mig_sd") >= 0);
        }
        string md = File.ReadAllText(prefix + ".md");
        Assert.Contains("| decoder=sbd | 2/2 |", md);
        Assert.Contains(" ± ", md);
        Assert.DoesNotContain("Missing", md);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(prefix + ".png")[..4]);
        Assert.Equal(["final KL", "final reconstruction", "final mse", "mig"], SweepTable.Panels(Aggregation.Collect(dir)).Select(p => p.Title));

        // an unfinished entry is listed as missing, not dropped silently
        File.Delete(Path.Combine(Entry(2), "checkpoint.safetensors"));
        var partial = Cli.Run("aggregate", dir, "--out", prefix);
        Assert.True(partial.ExitCode == 0, partial.Err);
        md = File.ReadAllText(prefix + ".md");
        Assert.Contains("| decoder=sbd | 1/2 |", md);
        Assert.Contains($"`{plan.Entries[2].Name}`: not started", md);
        Assert.Equal("1", File.ReadAllLines(prefix + ".csv")[1].Split(',')[3]);
    }

    [Fact]
    public void AFolderWithAnotherPlanIsRefused()
    {
        string root = TestData.TempDir("sweep-other");
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """{"base": {"epochs": 1}, "axes": {"seed": [0, 1]}}""");
        SweepRunner.Prepare(dir, SweepPlan.Load(planFile));
        byte[] kept = File.ReadAllBytes(Path.Combine(dir, SweepRunner.PlanFile));
        SweepRunner.Prepare(dir, SweepPlan.Load(planFile)); // the same plan again is fine
        File.WriteAllText(planFile, """{"base": {"epochs": 2}, "axes": {"seed": [0, 1]}}""");
        var e = Assert.Throws<SbvaeException>(() => SweepRunner.Prepare(dir, SweepPlan.Load(planFile)));
        Assert.Contains("different plan", e.Message);
        Assert.Equal(kept, File.ReadAllBytes(Path.Combine(dir, SweepRunner.PlanFile)));
    }

    [Fact]
    public void APlanThatOnlyAddsEntriesExtendsTheFolderAndKeepsItsRuns()
    {
        string root = TestData.TempDir("sweep-extend");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        static string Plan(string seeds) =>
            $$$"""{"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "batch": 16, "threads": 1, "decoder": "deconv"}, "axes": {"seed": [{{{seeds}}}]}}""";
        File.WriteAllText(planFile, Plan("0"));
        var first = Cli.Run("sweep", planFile, "--out", dir, "--threads", "1");
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.DoesNotContain("adds", first.Err); // a new folder has no recorded plan to extend
        string seed0 = Path.Combine(dir, SweepPlan.Load(planFile).Entries[0].Name, "checkpoint.safetensors");
        byte[] trained = File.ReadAllBytes(seed0);

        // Listing an extended plan says what is left without recording it.
        File.WriteAllText(planFile, Plan("0, 1"));
        string recorded = File.ReadAllText(Path.Combine(dir, SweepRunner.PlanFile));
        var list = Cli.Run("sweep", planFile, "--out", dir, "--list");
        Assert.True(list.ExitCode == 0, list.Err);
        Assert.Contains("done", list.Out.Split('\n')[0]);
        Assert.Contains("not started", list.Out.Split('\n')[1]);
        Assert.Equal(recorded, File.ReadAllText(Path.Combine(dir, SweepRunner.PlanFile)));

        var second = Cli.Run("sweep", planFile, "--out", dir, "--threads", "1");
        Assert.True(second.ExitCode == 0, second.Err);
        Assert.Contains("adds 1 entries", second.Err);
        Assert.Contains("already trained", second.Out);
        Assert.Equal(trained, File.ReadAllBytes(seed0)); // the finished run is kept as it was
        Assert.Equal(SweepPlan.Load(planFile).ToJson(), SweepRunner.LoadPlan(dir).ToJson());
        Assert.Equal(2, Aggregation.Collect(dir).Rows.Single().Finished);

        // Dropping an entry, or changing how the recorded ones train, is not an extension.
        File.WriteAllText(planFile, Plan("1"));
        Assert.Contains("does not extend", Cli.Run("sweep", planFile, "--out", dir).Err);
        File.WriteAllText(planFile, Plan("0, 1, 2").Replace("\"epochs\": 1", "\"epochs\": 2"));
        Assert.Contains("does not extend", Cli.Run("sweep", planFile, "--out", dir).Err);
        Assert.Equal(2, SweepPlan.Load(Path.Combine(dir, SweepRunner.PlanFile)).Entries.Count);
    }

    [Fact]
    public void ListPrintsEachEntryWithItsIndex()
    {
        string root = TestData.TempDir("sweep-list");
        string planFile = Path.Combine(root, "plan.json");
        File.WriteAllText(planFile, """{"axes": {"decoder": ["sbd", "deconv"], "beta": [1, 4]}}""");
        var r = Cli.Run("sweep", planFile, "--list");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(["0  decoder=sbd,beta=1", "1  decoder=sbd,beta=4", "2  decoder=deconv,beta=1", "3  decoder=deconv,beta=4"],
            r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
    }
}
