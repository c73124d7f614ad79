using System.Globalization;
using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.CliTests;

/// <summary>
/// The objectives from the command line: FactorVAE resumes exactly (its discriminator and that one's Adam in the
/// checkpoint), losses.csv logs each objective's terms, and an objective's bad options are refused before anything is written.
/// </summary>
public class ObjectiveCliTests
{
    sealed class Fixture
    {
        public readonly string Root = TestData.TempDir("objective-cli");
        public string Data16 => Path.Combine(Root, "tiny16.npz");
        public string BetaVaeRun => Path.Combine(Root, "betavae-run");

        public Fixture()
        {
            var tiny = TestData.Tiny();
            tiny.Save(Data16);
            TrainingSession.Start(BetaVaeRun, new RunConfig(new ModelConfig { Latent = 3, ImageSize = 16 },
                new TrainConfig { Epochs = 1, Batch = 16, Threads = 1, Precision = "fp32", Dataset = Data16 }), tiny);
        }
    }

    static readonly Lazy<Fixture> Shared = new(() => new Fixture());

    /// <summary>A small run: 72 tiny images, batch 8 (9 steps an epoch), latent 3, one thread, fp32.</summary>
    static string[] Train(string dataset, string dir, int epochs, params string[] more) =>
        ["train", "--decoder", "sbd", "--latent", "3", "--batch", "8", "--lr", "1e-3", "--seed", "5", "--threads", "1",
         "--precision", "fp32", "--dataset", dataset, "--out", dir, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), .. more];

    static (string[] Header, double[][] Rows) Losses(string run)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "losses.csv"));
        return (lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())]);
    }

    /// <summary>Every column of losses.csv but the timings, as text.</summary>
    static List<string> LossesWithoutTimings(string run)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "losses.csv")).Select(l => l.Split(',')).ToList();
        var keep = Enumerable.Range(0, lines[0].Length).Where(i => lines[0][i] is not ("seconds" or "images_per_second")).ToList();
        return [.. lines.Select(l => string.Join(",", keep.Select(i => l[i])))];
    }

    [Fact]
    public void FactorVaeResumesToTheSameLosses()
    {
        string root = TestData.TempDir("factorvae-resume");
        string dataset = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(dataset);

        string full = Path.Combine(root, "full");
        var r = Cli.RunProcess(Train(dataset, full, 2, "--objective", "factorvae"));
        Assert.True(r.ExitCode == 0, r.Err);
        string resumed = Path.Combine(root, "resumed");
        r = Cli.RunProcess(Train(dataset, resumed, 1, "--objective", "factorvae"));
        Assert.True(r.ExitCode == 0, r.Err);
        var halfway = Checkpoint.Load(Path.Combine(resumed, "checkpoint.safetensors"));
        Assert.Equal(1, halfway.State.Epoch);
        Assert.Equal(9, halfway.DiscriminatorAdamStep);
        r = Cli.RunProcess(["train", "--resume", resumed, "--epochs", "2", "--threads", "1"]);
        Assert.True(r.ExitCode == 0, r.Err);

        var expected = LossesWithoutTimings(full);
        Assert.Equal(3, expected.Count);
        Assert.Equal("epoch,step,kl,reconstruction,loss,mse,disc_accuracy,disc_loss,tc", expected[0]);
        Assert.Equal(expected, LossesWithoutTimings(resumed));

        // The checkpoint holds the discriminator and its Adam, and the resumed run ends where the uninterrupted one does.
        var a = Checkpoint.Load(Path.Combine(full, "checkpoint.safetensors"));
        var b = Checkpoint.Load(Path.Combine(resumed, "checkpoint.safetensors"));
        Assert.Equal(18, a.DiscriminatorAdamStep);
        Assert.Equal(18, b.DiscriminatorAdamStep);
        Assert.Equal(14, a.Tensors.Keys.Count(k => k.StartsWith("discriminator.layers.", StringComparison.Ordinal))); // 7 layers, weight and bias
        Assert.Equal(28, a.Tensors.Keys.Count(k => k.StartsWith("discriminator_optimizer.", StringComparison.Ordinal)));
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.ToFloats().SequenceEqual(b.Tensors[name].ToFloats()), name);
        // and the discriminator did train: its weights are not the initial ones
        Assert.False(halfway.Tensors["discriminator.layers.0.weight"].ToFloats().SequenceEqual(a.Tensors["discriminator.layers.0.weight"].ToFloats()));
    }

    [Fact]
    public void LossesCsvLogsTheObjectivesTerms()
    {
        var f = Shared.Value;
        string Run(string name, int epochs, params string[] more)
        {
            string dir = Path.Combine(f.Root, name);
            var r = Cli.Run(Train(f.Data16, dir, epochs, more));
            Assert.True(r.ExitCode == 0, r.Err);
            return dir;
        }

        var (header, rows) = Losses(Run("factorvae", 2, "--objective", "factorvae"));
        Assert.Equal(["epoch", "step", "kl", "reconstruction", "loss", "seconds", "images_per_second", "mse", "disc_accuracy", "disc_loss", "tc"], header);
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.All(row, v => Assert.True(double.IsFinite(v))));
        int accuracy = Array.IndexOf(header, "disc_accuracy"), discLoss = Array.IndexOf(header, "disc_loss"), mse = Array.IndexOf(header, "mse");
        Assert.All(rows, row => Assert.InRange(row[accuracy], 0, 1));
        Assert.All(rows, row => Assert.True(row[discLoss] > 0 && row[mse] > 0));

        // C(step) = min(5, 5·step/20): each epoch's mean over its 9 steps, rising to the cap.
        (header, rows) = Losses(Run("annealed", 3, "--objective", "annealed", "--capacity-max", "5", "--capacity-steps", "20"));
        Assert.Equal(["epoch", "step", "kl", "reconstruction", "loss", "seconds", "images_per_second", "mse", "capacity"], header);
        var capacity = rows.Select(row => row[Array.IndexOf(header, "capacity")]).ToArray();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            double expected = Enumerable.Range(epoch * 9, 9).Average(step => Math.Min(5, 5.0 * step / 20));
            Assert.Equal(expected, capacity[epoch], 5);
        }
        Assert.True(capacity[0] < capacity[1] && capacity[1] < capacity[2], string.Join(", ", capacity));

        (header, rows) = Losses(Run("dipvae1", 1, "--objective", "dipvae1"));
        Assert.Equal(["epoch", "step", "kl", "reconstruction", "loss", "seconds", "images_per_second", "mse", "dip"], header);
        Assert.True(rows[0][Array.IndexOf(header, "dip")] > 0);

        (header, rows) = Losses(Run("betavae", 1, "--beta", "2"));
        Assert.Equal(["epoch", "step", "kl", "reconstruction", "loss", "seconds", "images_per_second", "mse"], header);
        // the reference logs the mean image's squared error per pixel: the reconstruction term × 2σ_x² / pixels
        Assert.Equal(rows[0][Array.IndexOf(header, "reconstruction")] * 2 * 0.3 / (16 * 16 * 3), rows[0][Array.IndexOf(header, "mse")], 9);
    }

    public static TheoryData<string, string, string> BadOptions => new()
    {
        // name, options (with {run} for the betavae run), a word the message must contain
        { "unknown objective", "--objective foo", "objective" },
        { "unknown likelihood", "--likelihood foo", "likelihood" },
        { "gamma with betavae", "--gamma 10", "--gamma" },
        { "beta with factorvae", "--beta 4 --objective factorvae", "--beta" },
        { "lambda-od with factorvae", "--lambda-od 1 --objective factorvae", "--lambda-od" },
        { "scale with gaussian", "--scale 0.5", "--scale" },
        { "variance with bernoulli", "--variance 0.1 --likelihood bernoulli", "--variance" },
        { "negative gamma", "--gamma -1 --objective factorvae", "gamma" },
        { "nan gamma", "--gamma nan", "gamma" },
        { "nan gamma for factorvae", "--gamma nan --objective factorvae", "gamma" },
        { "zero capacity steps", "--capacity-steps 0 --objective annealed", "capacity-steps" },
        { "zero scale", "--scale 0 --likelihood laplace", "scale" },
        { "negative lambda-d", "--lambda-d -2 --objective dipvae2", "lambda-d" },
    };

    static void OneLine(Cli.Result r, string name, string mentions)
    {
        Assert.True(r.ExitCode == 2, $"{name}: exit {r.ExitCode}, stderr: {r.Err}");
        string[] lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{name}: expected one line, got: {r.Err}");
        Assert.StartsWith("sbvae:", lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.Contains(mentions, lines[0], StringComparison.OrdinalIgnoreCase);
    }

    [Theory, MemberData(nameof(BadOptions))]
    public void BadObjectiveOptionsGetOneLineAndWriteNothing(string name, string options, string mentions)
    {
        var f = Shared.Value;
        string dir = Path.Combine(f.Root, "refused-" + Guid.NewGuid().ToString("N"));
        var r = Cli.Run(["train", "--decoder", "sbd", "--epochs", "1", "--latent", "3", "--threads", "1", "--dataset", f.Data16, "--out", dir,
            .. options.Split(' ')]);
        OneLine(r, name, mentions);
        Assert.False(Directory.Exists(dir), $"{name}: the run folder was created");
    }

    static Dictionary<string, byte[]> Files(string dir) => Directory.GetFiles(dir)
        .Where(p => Path.GetFileName(p) != RunLock.FileName) // the lock records who last held it
        .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes);

    [Theory]
    [InlineData("--objective factorvae", "--objective")]
    [InlineData("--gamma 10", "--gamma")]
    [InlineData("--likelihood bernoulli", "--likelihood")]
    [InlineData("--beta 4", "--beta")]
    public void ResumingWithAnotherObjectiveIsRefused(string options, string mentions)
    {
        var f = Shared.Value;
        var before = Files(f.BetaVaeRun);
        Assert.Contains("checkpoint.safetensors", before.Keys);
        var r = Cli.Run(["train", "--resume", f.BetaVaeRun, "--epochs", "2", .. options.Split(' ')]);
        OneLine(r, options, mentions);
        Assert.Contains("resume", r.Err);
        var after = Files(f.BetaVaeRun);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (file, bytes) in before) Assert.True(bytes.SequenceEqual(after[file]), $"{file} changed");
    }

    [Fact]
    public void APlanEntryWithAnotherObjectivesHyperparameterIsRefused()
    {
        var f = Shared.Value;
        string plan = Path.Combine(f.Root, "plan-gamma.json");
        File.WriteAllText(plan, """{"base": {"epochs": 1, "dataset": "tiny16.npz"}, "axes": {"objective": ["factorvae", "betavae"], "gamma": [5]}}""");
        string sweep = Path.Combine(f.Root, "sweep-gamma");
        var r = Cli.Run(["sweep", plan, "--out", sweep]);
        OneLine(r, "plan", "--gamma");
        Assert.Contains("betavae", r.Err);
        Assert.False(Directory.Exists(sweep));
    }
}
