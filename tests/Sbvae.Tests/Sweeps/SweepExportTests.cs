using System.Globalization;
using System.Text.Json;
using Sbvae.Sweeps;

namespace Sbvae.Tests.Sweeps;

/// <summary>A finished sweep's per-run files: the long CSV and disentanglement_lib's aggregated-results JSON.</summary>
public class SweepExportTests
{
    [Fact]
    public void AggregateWritesOneRecordPerRunAndEvaluationAndOneRowPerRunAndValue()
    {
        string root = TestData.TempDir("sweep-export");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """
            {"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "batch": 16, "threads": 1, "decoder": "deconv"},
             "axes": {"seed": [0, 1], "beta": [1, 4]},
             "metrics": ["mig", "dci", "factorvae", "betavae"], "metric_samples": 0.01}
            """);
        var run = Cli.Run("sweep", planFile, "--out", dir, "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Err);
        var plan = SweepPlan.Load(planFile);

        string prefix = Path.Combine(root, "summary");
        var agg = Cli.Run("aggregate", dir, "--out", prefix);
        Assert.True(agg.ExitCode == 0, agg.Err);
        Assert.Contains("summary_dlib.json", agg.Out);

        // What each run's folder holds: final losses and metrics.json.
        var expected = plan.Entries.Select(e =>
        {
            string runDir = SweepRunner.EntryDir(dir, e);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, SweepRunner.MetricsFile)));
            var metrics = doc.RootElement.GetProperty("metrics").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetDouble());
            var header = File.ReadAllLines(Path.Combine(runDir, "losses.csv"))[0].Split(',');
            var last = File.ReadAllLines(Path.Combine(runDir, "losses.csv")).Last(l => l.Length > 0).Split(',');
            double Loss(string c) => double.Parse(last[Array.IndexOf(header, c)], CultureInfo.InvariantCulture);
            return (Entry: e, Metrics: metrics, Kl: Loss("kl"), Loss: Loss("loss"));
        }).ToList();
        Assert.All(expected, x => Assert.Equal(["betavae", "dci_completeness", "dci_disentanglement", "dci_informativeness", "factorvae", "mig"], x.Metrics.Keys.Order()));

        using var dlib = JsonDocument.Parse(File.ReadAllText(prefix + "_dlib.json"));
        var records = dlib.RootElement.EnumerateArray().ToList();
        string[] evaluations = ["training", "mig", "dci", "factorvae", "betavae"];
        Assert.Equal(plan.Entries.Count * evaluations.Length, records.Count);
        for (int r = 0; r < plan.Entries.Count; r++)
        {
            var (entry, metrics, kl, loss) = expected[r];
            var mine = records.Skip(r * evaluations.Length).Take(evaluations.Length).ToList();
            Assert.Equal("training", mine[0].GetProperty("evaluation_config.name").GetString());
            Assert.Equal(evaluations.Order(), mine.Select(x => x.GetProperty("evaluation_config.name").GetString()!).Order());
            mine = evaluations.Select(name => mine.Single(x => x.GetProperty("evaluation_config.name").GetString() == name)).ToList();
            foreach (var rec in mine)
            {
                Assert.Equal("deconv", rec.GetProperty("train_config.decoder").GetString());
                Assert.Equal("betavae", rec.GetProperty("train_config.objective").GetString());
                Assert.Equal((double)entry.Settings.Single(s => s.Option.Key == "beta").Value!, rec.GetProperty("train_config.beta").GetDouble());
                Assert.Equal((int)entry.Settings.Single(s => s.Option.Key == "seed").Value!, rec.GetProperty("train_config.seed").GetInt32());
            }
            double V(int evaluation, string key) => mine[evaluation].GetProperty("evaluation_results." + key).GetDouble();
            Assert.Equal(kl, V(0, "kl"));
            Assert.Equal(loss, V(0, "loss"));
            Assert.True(mine[0].TryGetProperty("evaluation_results.reconstruction", out _));
            Assert.Equal(metrics["mig"], V(1, "discrete_mig"));
            Assert.Equal(metrics["dci_disentanglement"], V(2, "disentanglement"));
            Assert.Equal(metrics["dci_completeness"], V(2, "completeness"));
            Assert.Equal(metrics["dci_informativeness"], V(2, "informativeness_test"));
            Assert.Equal(metrics["factorvae"], V(3, "eval_accuracy"));
            Assert.Equal(metrics["betavae"], V(4, "eval_accuracy"));
            Assert.Single(mine[3].EnumerateObject(), p => p.Name.StartsWith("evaluation_results.", StringComparison.Ordinal));
        }

        var lines = File.ReadAllLines(prefix + "_long.csv");
        var head = lines[0].Split(',');
        Assert.Equal(["entry", "beta", "seed", "name", "value"], head);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var summary = Aggregation.Collect(dir);
        Assert.Equal(plan.Entries.Count * summary.Quantities.Count, rows.Count);
        foreach (var (entry, metrics, kl, _) in expected)
        {
            var mine = rows.Where(c => c[0] == entry.Index.ToString(CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(summary.Quantities, mine.Select(c => c[3]));
            double Value(string name) => double.Parse(mine.Single(c => c[3] == name)[4], CultureInfo.InvariantCulture);
            Assert.Equal(kl, Value("kl"));
            foreach (var (name, value) in metrics) Assert.Equal(value, Value(name));
            Assert.All(mine, c => Assert.Equal(entry.Settings.Single(s => s.Option.Key == "seed").Value!.ToString(), c[2]));
        }
    }
}
