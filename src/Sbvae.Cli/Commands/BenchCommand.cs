using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sbvae.Models;
using Sbvae.Diagnostics;
using Sbvae.Engine;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae bench`: training and inference images/s of each decoder and compute path on the
/// reference dataset, the ratio to the plain fp32 path measured in the same run, threads,
/// resident memory and page faults; a table on screen and, with --json, a file for
/// comparisons over time. Each measurement runs in a fresh process, so the allocator lever
/// can be compared and each peak memory is that path's own.
/// </summary>
public static class BenchCommand
{
    /// <summary>Set in a worker's environment to leave glibc's allocator at its defaults (the fp32-plain path).</summary>
    public const string PlainAllocatorVariable = "SBVAE_PLAIN_ALLOCATOR";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Command Create()
    {
        var defaults = new BenchOptions();
        var steps = new Option<int>("--steps") { Description = "Timed training steps (and inference batches) per measurement", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps before each measurement", DefaultValueFactory = _ => defaults.Warmup };
        var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "The warm-up lasts at least this long", DefaultValueFactory = _ => defaults.WarmupSeconds };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved repeats; the best round counts (filters out other load)", DefaultValueFactory = _ => defaults.Rounds };
        var batch = new Option<int>("--batch") { Description = "Batch size (reference 16)", DefaultValueFactory = _ => defaults.Batch };
        var decoder = new Option<string>("--decoder") { Description = "sbd, deconv or both", DefaultValueFactory = _ => "both" };
        var paths = new Option<string>("--paths") { Description = $"Comma-separated compute paths, or all: {string.Join(", ", BenchOptions.AllPaths)}", DefaultValueFactory = _ => "all" };
        var threads = CommonOptions.Threads();
        var json = new Option<string?>("--json") { Description = "Also write the results to this JSON file" };
        var objective = new Option<string>("--objective") { Description = "Training objective measured: betavae (reference), factorvae, betatcvae, dipvae1, dipvae2 or annealed", DefaultValueFactory = _ => defaults.Objective };
        var worker = new Option<string?>("--worker") { Hidden = true };
        var cmd = new Command("bench", "Measure training and inference throughput and memory of each decoder and compute path")
        {
            steps, warmup, warmupSeconds, rounds, batch, decoder, paths, threads, objective, json, worker,
        };
        cmd.SetAction(p =>
        {
            string which = p.GetValue(paths)!;
            var options = new BenchOptions
            {
                Steps = p.GetValue(steps),
                Warmup = p.GetValue(warmup),
                WarmupSeconds = p.GetValue(warmupSeconds),
                Rounds = p.GetValue(rounds),
                Batch = p.GetValue(batch),
                Threads = p.GetValue(threads),
                Objective = p.GetValue(objective)!,
                Decoders = p.GetValue(decoder) == "both" ? [DecoderKind.Sbd, DecoderKind.Deconv] : [ModelConfig.ParseDecoder(p.GetValue(decoder)!)],
                Paths = which == "all" ? BenchOptions.AllPaths : which.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            };
            options.Validate();
            if (p.GetValue(worker) is { } job) return RunWorker(job, options);

            string? jsonPath = p.GetValue(json);
            if (jsonPath is not null) CommonOptions.CheckOutputFile(jsonPath);
            var measured = new List<BenchRow>();
            int total = options.Rounds * options.Decoders.Count * options.Paths.Count, done = 0;
            for (int round = 0; round < options.Rounds; round++)
                foreach (var d in options.Decoders)
                    foreach (var path in options.Paths)
                    {
                        var row = RunInChild(ModelConfig.Name(d), path, options);
                        measured.Add(row);
                        Console.Error.WriteLine($"[{++done}/{total}] {row.Decoder} {row.Path}: train {row.TrainImagesPerSecond:F1} img/s, inference {row.InferImagesPerSecond:F1} img/s");
                    }
            int used = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
            LibtorchThreads.Use(options.Threads);
            double peakFp32 = ConvPeak.Measure(TorchSharp.torch.ScalarType.Float32);
            double peakBf16 = PrecisionSupport.CpuHasNativeBf16 ? ConvPeak.Measure(TorchSharp.torch.ScalarType.BFloat16) : 0;
            var perImage = options.Decoders.ToDictionary(ModelConfig.Name,
                d => ModelFlops.TrainingPerImage(new ModelConfig { Decoder = d, Latent = options.Latent }) / 1e9);
            var report = new BenchReport(MachineInfo.Describe(used), MachineInfo.CpuModel(), Environment.ProcessorCount, used,
                PrecisionSupport.CpuHasNativeBf16, PrecisionSupport.Resolve("auto", TorchSharp.torch.CPU).ToString().ToLowerInvariant(),
                typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?", DateTime.UtcNow, options, Benchmark.Combine(measured),
                peakFp32, peakBf16, perImage);
            Console.WriteLine(Format(report));
            if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(report, Json) + "\n");
            return 0;
        });
        return cmd;
    }

    static int RunWorker(string job, BenchOptions options)
    {
        var parts = job.Split(':');
        if (parts.Length != 2) throw new SbvaeException($"bad worker job '{job}'");
        var row = Benchmark.Measure(ModelConfig.ParseDecoder(parts[0]), parts[1], options);
        Console.WriteLine(JsonSerializer.Serialize(row, Json).ReplaceLineEndings(" "));
        return 0;
    }

    /// <summary>Runs one measurement in a fresh `sbvae bench --worker` process and reads its row.</summary>
    static BenchRow RunInChild(string decoder, string path, BenchOptions options)
    {
        var start = SelfProcess.StartInfo();
        foreach (var a in new[]
        {
            "bench", "--worker", $"{decoder}:{path}", "--steps", $"{options.Steps}", "--warmup", $"{options.Warmup}", "--warmup-seconds", $"{options.WarmupSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "--batch", $"{options.Batch}", "--threads", $"{options.Threads}", "--paths", path, "--objective", options.Objective,
        }) start.ArgumentList.Add(a);
        if (!BenchOptions.TunesAllocator(path)) start.Environment[PlainAllocatorVariable] = "1";
        using var process = Process.Start(start) ?? throw new SbvaeException("could not start a benchmark process");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new SbvaeException($"benchmark of {decoder} {path} failed: {stderr.Result.Trim().Split('\n')[^1]}");
        string line = stdout.Trim().Split('\n')[^1];
        return JsonSerializer.Deserialize<BenchRow>(line, Json) ?? throw new SbvaeException($"benchmark of {decoder} {path} printed no result");
    }

    public static string Format(BenchReport r)
    {
        var lines = new List<string>
        {
            $"machine: {r.Machine}",
            $"threads: {r.Threads}; native bf16: {(r.NativeBf16 ? "yes" : "no")} (auto = {r.AutoPrecision}); objective {r.Options.Objective}; batch {r.Options.Batch}, k = {r.Options.Latent}; best of {r.Options.Rounds} rounds × {r.Options.Steps} steps after {r.Options.Warmup} warm-up steps and at least {r.Options.WarmupSeconds:0.#} s",
            $"conv peak on {r.Threads} threads: fp32 {r.PeakGflopsFp32:F0} GFLOP/s{(r.PeakGflopsBf16 > 0 ? $", bf16 {r.PeakGflopsBf16:F0} GFLOP/s" : "")}; "
                + $"one training image: {string.Join(", ", r.TrainGflopPerImage.Select(kv => $"{kv.Key} {kv.Value:F3} GFLOP"))}",
            "",
            $"{"decoder",-8} {"path",-14} {"train img/s",12} {"×plain",7} {"GFLOP/s",8} {"%peak",6} {"infer img/s",12} {"×plain",7} {"cpu use",8} {"faults/step",12} {"rss start→end MB",17} {"peak MB",8}",
        };
        foreach (var row in r.Rows)
            lines.Add($"{row.Decoder,-8} {row.Path,-14} {row.TrainImagesPerSecond,12:F1} {row.TrainRatio,7:F2} {row.TrainGflops,8:F0} {100 * row.TrainGflops / r.PeakFor(row.Path),6:F0} {row.InferImagesPerSecond,12:F1} {row.InferRatio,7:F2} {row.CpuUse,8:F2} {row.PageFaultsPerStep,12:F0} {$"{row.RssStartMb:F0}→{row.RssEndMb:F0}",17} {row.PeakRssMb,8:F0}");
        lines.Add("");
        lines.Add("Each path adds one lever to the row above it: fp32-alloc keeps freed buffers mapped (glibc malloc tuning),");
        lines.Add("fp32 computes the first broadcast conv from z and updates Adam in one pass per tensor (train --precision fp32),");
        lines.Add("fp32-cl stores activations channels-last, bf16-unfused runs the large convs in bfloat16 on fp32 weights,");
        lines.Add("bf16-io computes the broadcast decoder's first conv, relu and cast in one kernel, each decoder's output layer and the encoder's input layer in others,");
        lines.Add("bf16-unsplit the fp32 64-channel stride-2 layers on small planes (with their relu) the encoder's 256-unit layer and heads, and the loss in one kernel each, and bf16 gives each");
        lines.Add("core a share of the batch on one libtorch thread instead of spreading every op (train --precision bf16).");
        lines.Add("GFLOP/s = the textbook model's training arithmetic per image (forward, weight and input gradients) times img/s;");
        lines.Add("%peak = that against the conv peak of the path's precision. cpu use = process CPU seconds per wall second while training.");
        return string.Join(Environment.NewLine, lines);
    }
}
