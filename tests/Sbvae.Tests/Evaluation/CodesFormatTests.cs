using System.Globalization;
using System.Text;
using System.Text.Json;
using Sbvae.Data;

namespace Sbvae.Tests.Evaluation;

/// <summary>`evaluate --codes` with codes as .npz, as .npy with --factors, and as CSV with --factor-columns.</summary>
public class CodesFormatTests
{
    const int N = 60;

    static (float[] Codes, long[] Factors) Data()
    {
        var rng = new Random(3);
        var factors = new long[N * 2];
        var codes = new float[N * 3];
        for (int i = 0; i < N; i++)
        {
            factors[2 * i] = rng.Next(3);
            factors[2 * i + 1] = rng.Next(4);
            codes[3 * i] = (float)(factors[2 * i + 1] + 0.3 * rng.NextDouble());
            codes[3 * i + 1] = (float)rng.NextDouble();
            codes[3 * i + 2] = (float)(-2 * factors[2 * i] + 0.3 * rng.NextDouble());
        }
        return (codes, factors);
    }

    static string R(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    static string Csv(float[] codes, long[] factors)
    {
        var sb = new StringBuilder("z0,shape,z1,\"scale\",z2\n");
        for (int i = 0; i < N; i++)
            sb.AppendLine($"{R(codes[3 * i])},{factors[2 * i]},{R(codes[3 * i + 1])},{factors[2 * i + 1]},{R(codes[3 * i + 2])}");
        return sb.ToString();
    }

    static Dictionary<string, double> Metrics(string dir, string name, params string[] args)
    {
        string output = Path.Combine(dir, name + ".json");
        var r = Cli.Run([.. args, "--out", output]);
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        return doc.RootElement.GetProperty("metrics").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetDouble());
    }

    [Fact]
    public void NpyAndCsvGiveTheSameMetricsAsTheNpz()
    {
        string dir = TestData.TempDir("codes-formats");
        var (codes, factors) = Data();
        string npz = Path.Combine(dir, "codes.npz"), npy = Path.Combine(dir, "codes.npy"), fnpy = Path.Combine(dir, "factors.npy"), csv = Path.Combine(dir, "codes.csv");
        Npz.Write(npz, new Dictionary<string, NpyArray> { ["codes"] = NpyArray.FromFloats(codes, [N, 3]), ["factors"] = NpyArray.FromInt64s(factors, [N, 2]) });
        NpyFile.Write(npy, NpyArray.FromFloats(codes, [N, 3]));
        NpyFile.Write(fnpy, NpyArray.FromInt64s(factors, [N, 2]));
        File.WriteAllText(csv, Csv(codes, factors));

        foreach (var mode in new[] { new[] { "--all-points", "--metrics", "mig,dci,sap" }, ["--metrics", "mig,factorvae,betavae", "--samples", "0.01", "--seed", "2"] })
        {
            var reference = Metrics(dir, "npz", ["evaluate", "--codes", npz, .. mode]);
            Assert.NotEmpty(reference);
            Assert.Equal(reference, Metrics(dir, "npy", ["evaluate", "--codes", npy, "--factors", fnpy, .. mode]));
            Assert.Equal(reference, Metrics(dir, "csv", ["evaluate", "--codes", csv, "--factor-columns", "shape,scale", .. mode]));
        }
    }

    [Fact]
    public void BadCodesFilesGetOneLineAndExitCode2()
    {
        string dir = TestData.TempDir("codes-errors");
        var (codes, factors) = Data();
        string npz = Path.Combine(dir, "codes.npz"), npy = Path.Combine(dir, "codes.npy"), fnpy = Path.Combine(dir, "factors.npy"), csv = Path.Combine(dir, "codes.csv");
        Npz.Write(npz, new Dictionary<string, NpyArray> { ["codes"] = NpyArray.FromFloats(codes, [N, 3]), ["factors"] = NpyArray.FromInt64s(factors, [N, 2]) });
        NpyFile.Write(npy, NpyArray.FromFloats(codes, [N, 3]));
        NpyFile.Write(fnpy, NpyArray.FromInt64s(factors[..((N - 1) * 2)], [N - 1, 2]));
        string text = Csv(codes, factors);
        File.WriteAllText(csv, text);
        string nonNumeric = Path.Combine(dir, "bad-cell.csv"), short_ = Path.Combine(dir, "short.csv");
        var lines = text.Split('\n');
        lines[5] = lines[5].Replace(lines[5].Split(',')[2], "abc");
        File.WriteAllText(nonNumeric, string.Join('\n', lines));
        lines = text.Split('\n');
        lines[7] = string.Join(',', lines[7].Split(',').Take(4));
        File.WriteAllText(short_, string.Join('\n', lines));

        (string[] Args, string Mentions)[] cases =
        [
            (["--codes", npy, "--factors", fnpy], $"{N} codes but {N - 1} factor rows"),
            (["--codes", short_, "--factor-columns", "shape,scale"], "line 8: 4 cells"),
            (["--codes", nonNumeric, "--factor-columns", "shape,scale"], "'abc' is not a number"),
            (["--codes", csv, "--factor-columns", "shape,size"], "no column 'size'"),
            (["--codes", npz, "--factors", fnpy], "--factors goes with codes in an .npy file"),
            (["--codes", csv, "--factors", fnpy], "--factors goes with codes in an .npy file"),
            (["--codes", npy], "--factors"),
            (["--codes", csv], "--factor-columns"),
        ];
        foreach (var (args, mentions) in cases)
        {
            var r = Cli.Run(["evaluate", .. args, "--out", Path.Combine(dir, "m.json")]);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Err}");
            Assert.Contains(mentions, r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
        }
    }
}
