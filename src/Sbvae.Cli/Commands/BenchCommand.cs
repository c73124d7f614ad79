using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae bench`: training and inference images/s of each decoder and compute path on the
/// reference dataset, the ratio to the plain fp32 path measured in the same run, threads,
/// and resident memory; a table on screen and, with --json, a file for comparisons over time.
/// </summary>
public static class BenchCommand
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Command Create()
    {
        var defaults = new BenchOptions();
        var steps = new Option<int>("--steps") { Description = "Timed training steps (and inference batches) per round", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before each measurement", DefaultValueFactory = _ => defaults.Warmup };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved repeats; the best round counts (filters out other load)", DefaultValueFactory = _ => defaults.Rounds };
        var batch = new Option<int>("--batch") { Description = "Batch size (reference 16)", DefaultValueFactory = _ => defaults.Batch };
        var decoder = new Option<string>("--decoder") { Description = "sbd, deconv or both", DefaultValueFactory = _ => "both" };
        var precision = new Option<string>("--precision") { Description = "Paths besides fp32-plain: fp32, bf16, or all (bf16 only where the CPU has native bf16)", DefaultValueFactory = _ => "all" };
        var threads = CommonOptions.Threads();
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file" };
        var cmd = new Command("bench", "Measure training and inference throughput and memory of each decoder and precision")
        {
            steps, warmup, rounds, batch, decoder, precision, threads, json,
        };
        cmd.SetAction(p =>
        {
            string? jsonPath = p.GetValue(json);
            if (jsonPath is not null) CommonOptions.CheckOutputFile(jsonPath);
            string which = p.GetValue(precision)!;
            var options = new BenchOptions
            {
                Steps = p.GetValue(steps),
                Warmup = p.GetValue(warmup),
                Rounds = p.GetValue(rounds),
                Batch = p.GetValue(batch),
                Threads = p.GetValue(threads),
                Decoders = p.GetValue(decoder) == "both" ? [DecoderKind.Sbd, DecoderKind.Deconv] : [ModelConfig.ParseDecoder(p.GetValue(decoder)!)],
                Paths = which switch
                {
                    "all" or "auto" => ["fp32-plain", "fp32", "bf16"],
                    "fp32" => ["fp32-plain", "fp32"],
                    "bf16" => ["fp32-plain", "bf16"],
                    _ => throw new SbvaeException($"unknown precision '{which}' (use fp32, bf16 or all)"),
                },
                ForceBf16 = which == "bf16",
            };
            var data = Data.ImageDataset.Reference();
            var report = Benchmark.Run(options, data, line => System.Console.Error.WriteLine(line));
            System.Console.WriteLine(Format(report));
            if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(report, Json) + "\n");
            return 0;
        });
        return cmd;
    }

    public static string Format(BenchReport r)
    {
        var lines = new List<string>
        {
            $"machine: {r.Machine}",
            $"threads: {r.Threads}; native bf16: {(r.NativeBf16 ? "yes" : "no")} (auto = {r.AutoPrecision}); batch {r.Options.Batch}, k = {r.Options.Latent}; best of {r.Options.Rounds} rounds × {r.Options.Steps} steps",
            "",
            $"{"decoder",-8} {"path",-11} {"train img/s",12} {"×plain",7} {"infer img/s",12} {"×plain",7} {"cpu use",8} {"rss start→end MB",17} {"peak MB",8}",
        };
        foreach (var row in r.Rows)
            lines.Add($"{row.Decoder,-8} {row.Path,-11} {row.TrainImagesPerSecond,12:F1} {row.TrainRatio,7:F2} {row.InferImagesPerSecond,12:F1} {row.InferRatio,7:F2} {row.CpuUse,8:F2} {$"{row.RssStartMb:F0}→{row.RssEndMb:F0}",17} {row.PeakRssMb,8:F0}");
        lines.Add("");
        lines.Add("cpu use = process CPU seconds per wall second while training (below the thread count: other load or waiting).");
        return string.Join(Environment.NewLine, lines);
    }
}
