using System.Globalization;
using Sbvae.Checkpoints;
using Sbvae.Sweeps;
using Sbvae.Training;

namespace Sbvae.Tests.Sweeps;

/// <summary>A sweep of two objectives (one epoch each on 16-pixel images) and its aggregated table.</summary>
public class ObjectiveAggregationTests
{
    [Fact]
    public void AggregateGroupsByObjectiveAndTabulatesMseAndTheObjectivesTerms()
    {
        string root = TestData.TempDir("sweep-objectives");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """
            {"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "batch": 16, "threads": 1, "decoder": "deconv"},
             "variants": [{"objective": "betavae", "beta": 2}, {"objective": "factorvae", "gamma": 5}],
             "axes": {"seed": [0, 1]}}
            """);
        var plan = SweepPlan.Load(planFile);
        var run = Cli.Run("sweep", planFile, "--out", dir, "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Err);

        var summary = Aggregation.Collect(dir);
        Assert.Equal(["objective=betavae,likelihood=gaussian,beta=2", "objective=factorvae,likelihood=gaussian,gamma=5"], summary.Rows.Select(r => r.Label));
        Assert.All(summary.Rows, r => Assert.Equal((2, 2), (r.Planned, r.Finished)));
        Assert.Equal(["kl", "reconstruction", "loss", "mse"], summary.Quantities.Take(4));
        Assert.Contains("tc", summary.Terms);
        Assert.Contains("disc_accuracy", summary.Terms);

        string prefix = Path.Combine(root, "summary");
        var agg = Cli.Run("aggregate", dir, "--out", prefix);
        Assert.True(agg.ExitCode == 0, agg.Err);
        var csv = File.ReadAllLines(prefix + ".csv");
        var header = csv[0].Split(',');
        Assert.Equal(["configuration", "objective", "likelihood", "beta", "gamma", "planned", "n"], header.Take(7));
        Assert.Equal(3, csv.Length);
        var rows = csv.Skip(1).Select(l => CsvCells(l)).ToList();
        string Cell(int row, string column) => rows[row][Array.IndexOf(header, column)];
        double Num(int row, string column) => double.Parse(Cell(row, column), CultureInfo.InvariantCulture);
        Assert.Equal(("betavae", "gaussian", "2", ""), (Cell(0, "objective"), Cell(0, "likelihood"), Cell(0, "beta"), Cell(0, "gamma")));
        Assert.Equal(("factorvae", "", "5"), (Cell(1, "objective"), Cell(1, "beta"), Cell(1, "gamma")));
        for (int row = 0; row < 2; row++)
        {
            var mse = plan.Entries.Skip(2 * row).Take(2).Select(e => Final(SweepRunner.EntryDir(dir, e)).Terms["mse"]).ToArray();
            Assert.Equal(mse.Average(), Num(row, "mse_mean"), 9);
            Assert.InRange(Num(row, "mse_mean"), 0, 1);
        }
        Assert.Equal("", Cell(0, "tc_mean"));
        var tc = plan.Entries.Skip(2).Select(e => Final(SweepRunner.EntryDir(dir, e)).Terms["tc"]).ToArray();
        Assert.Equal(tc.Average(), Num(1, "tc_mean"), 9);

        string md = File.ReadAllText(prefix + ".md");
        Assert.Contains("| configuration | n | kl | reconstruction | loss | mse |", md);
        Assert.Contains("| objective=factorvae,likelihood=gaussian,gamma=5 | 2/2 |", md);
        var panels = SweepTable.Panels(summary).Select(p => p.Title).ToList();
        Assert.Equal(["final KL", "final reconstruction", "final mse"], panels.Take(3));
        Assert.Contains("final tc", panels);
        // The figures leave out what every configuration shares (the likelihood here); the table keeps it.
        Assert.Equal(["objective=betavae,beta=2", "objective=factorvae,gamma=5"], SweepTable.FigureLabels(summary.Rows).Values);
        Assert.Equal(["objective=betavae,beta=2", "objective=factorvae,gamma=5"], SweepTable.Panels(summary)[0].Bars.Select(b => b.Label));
        Assert.Equal(summary.Rows[0].Label, SweepTable.FigureLabels(summary.Rows.Take(1).ToList())[summary.Rows[0].Label]);
    }

    [Fact]
    public void APlanWithoutObjectivesGroupsAsBefore()
    {
        var plan = SweepPlan.Parse("""{"base": {"epochs": 1}, "axes": {"seed": [0, 1], "decoder": ["sbd", "deconv"], "beta": [1, 4]}}""", "p", Path.GetTempPath());
        Assert.Equal(["decoder=sbd", "beta=1"], Aggregation.Configuration(plan, plan.Entries[0]).Select(s => s.Text));
        var objective = SweepPlan.Parse("""{"base": {"epochs": 1, "objective": "dipvae2"}, "axes": {"seed": [0, 1], "decoder": ["sbd"]}}""", "p", Path.GetTempPath());
        Assert.Equal(["objective=dipvae2", "likelihood=gaussian", "decoder=sbd"], Aggregation.Configuration(objective, objective.Entries[1]).Select(s => s.Text));
    }

    static EpochRecord Final(string runDir) => RunFolder.Open(runDir).LoadCheckpoint().State.History[^1];

    static string[] CsvCells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return [.. cells];
    }
}
