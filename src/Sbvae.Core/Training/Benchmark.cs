using System.Diagnostics;
using Sbvae.Data;
using Sbvae.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>What `sbvae bench` measures; defaults are the reference recipe (batch 16, k = 5).</summary>
public sealed record BenchOptions
{
    /// <summary>Timed training steps per round (after the warm-up); inference runs as many batches.</summary>
    public int Steps { get; init; } = 60;
    public int Warmup { get; init; } = 5;
    /// <summary>Every path runs once per round, interleaved, and the best round counts: on a shared machine that filters out other load.</summary>
    public int Rounds { get; init; } = 3;
    public int Batch { get; init; } = 16;
    public int Latent { get; init; } = 5;
    /// <summary>libtorch intra-op threads; 0 = one per core.</summary>
    public int Threads { get; init; }
    public IReadOnlyList<DecoderKind> Decoders { get; init; } = [DecoderKind.Sbd, DecoderKind.Deconv];
    /// <summary>Compute paths: fp32-plain (the baseline), fp32, bf16. bf16 is skipped where the CPU lacks native bf16 unless forced.</summary>
    public IReadOnlyList<string> Paths { get; init; } = ["fp32-plain", "fp32", "bf16"];
    public bool ForceBf16 { get; init; }

    public void Validate()
    {
        if (Steps < 1 || Warmup < 0 || Rounds < 1) throw new SbvaeException("steps and rounds must be at least 1, warm-up at least 0");
        if (Batch < 1 || Batch > 4096) throw new SbvaeException($"batch must be between 1 and 4096, got {Batch}");
        foreach (var p in Paths)
            if (p is not ("fp32-plain" or "fp32" or "bf16")) throw new SbvaeException($"unknown path '{p}' (use fp32-plain, fp32 or bf16)");
    }

    public static ComputeOptions Compute(string path) => path switch
    {
        "fp32-plain" => ComputeOptions.Plain,
        "bf16" => ComputeOptions.For(Precision.Bf16),
        _ => ComputeOptions.For(Precision.Fp32),
    };
}

/// <summary>One decoder and compute path: best-round throughput, and memory of its training run.</summary>
public sealed record BenchRow(
    string Decoder, string Path,
    double TrainImagesPerSecond, double InferImagesPerSecond,
    double TrainRatio, double InferRatio,
    double CpuUse, double RssStartMb, double RssEndMb, double PeakRssMb);

public sealed record BenchReport(
    string Machine, string Cpu, int Cores, int Threads, bool NativeBf16, string AutoPrecision,
    string TorchSharp, DateTime Utc, BenchOptions Options, IReadOnlyList<BenchRow> Rows);

/// <summary>
/// Training and inference throughput of each decoder and compute path, measured through the
/// real <see cref="Trainer"/> on the reference dataset, with the plain fp32 path in the same run
/// for the ratio, plus peak and start/end resident memory of each training run.
/// </summary>
public static class Benchmark
{
    public static BenchReport Run(BenchOptions options, ImageDataset data, Action<string>? log = null)
    {
        options.Validate();
        int threads = TrainingSession.UseThreads(options.Threads);
        var paths = options.Paths.Where(p => p != "bf16" || options.ForceBf16 || PrecisionSupport.CpuHasNativeBf16).ToList();
        using var images = TrainingSession.ToTrainingImages(data, CPU);
        var best = new Dictionary<(DecoderKind, string), BenchRow>();
        for (int round = 0; round < options.Rounds; round++)
            foreach (var decoder in options.Decoders)
                foreach (var path in paths)
                {
                    var row = Measure(decoder, path, images, options);
                    log?.Invoke($"round {round + 1}/{options.Rounds} {ModelConfig.Name(decoder)} {path}: train {row.TrainImagesPerSecond:F1} img/s, inference {row.InferImagesPerSecond:F1} img/s, cpu use {row.CpuUse:F2}");
                    var key = (decoder, path);
                    best[key] = best.TryGetValue(key, out var old) ? Best(old, row) : row;
                }
        var rows = new List<BenchRow>();
        foreach (var decoder in options.Decoders)
        {
            var baseline = best.GetValueOrDefault((decoder, "fp32-plain"));
            foreach (var path in paths)
            {
                var r = best[(decoder, path)];
                rows.Add(baseline is null ? r : r with
                {
                    TrainRatio = r.TrainImagesPerSecond / baseline.TrainImagesPerSecond,
                    InferRatio = r.InferImagesPerSecond / baseline.InferImagesPerSecond,
                });
            }
        }
        return new BenchReport(MachineInfo.Describe(threads), MachineInfo.CpuModel(), Environment.ProcessorCount, threads,
            PrecisionSupport.CpuHasNativeBf16, PrecisionSupport.Resolve("auto", CPU).ToString().ToLowerInvariant(),
            typeof(torch).Assembly.GetName().Version?.ToString() ?? "?", DateTime.UtcNow, options, rows);
    }

    static BenchRow Best(BenchRow a, BenchRow b) => a with
    {
        TrainImagesPerSecond = Math.Max(a.TrainImagesPerSecond, b.TrainImagesPerSecond),
        InferImagesPerSecond = Math.Max(a.InferImagesPerSecond, b.InferImagesPerSecond),
        CpuUse = Math.Max(a.CpuUse, b.CpuUse),
        RssStartMb = Math.Min(a.RssStartMb, b.RssStartMb),
        RssEndMb = b.RssEndMb,
        PeakRssMb = Math.Max(a.PeakRssMb, b.PeakRssMb),
    };

    static BenchRow Measure(DecoderKind decoder, string path, TrainingImages images, BenchOptions options)
    {
        var model = new ModelConfig { Decoder = decoder, Latent = options.Latent, ImageSize = images.Size };
        var train = new TrainConfig { Epochs = 1_000_000, Batch = options.Batch, Seed = 1, Precision = path == "bf16" ? "bf16" : "fp32" };
        using var vae = TrainingSession.BuildModel(model, train.Seed, CPU);
        var trainer = new Trainer(vae, images, train);
        vae.Compute = BenchOptions.Compute(path); // the trainer chose from the precision; this also covers fp32-plain

        using var cancel = new CancellationTokenSource();
        var clock = new Stopwatch();
        TimeSpan cpuStart = default;
        double rssStart = 0;
        int steps = 0;
        trainer.StepCompleted += _ =>
        {
            if (++steps == options.Warmup)
            {
                rssStart = ProcessMemory.ResidentMb();
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                clock.Start();
            }
            if (steps == options.Warmup + options.Steps) cancel.Cancel();
        };
        if (options.Warmup == 0)
        {
            rssStart = ProcessMemory.ResidentMb();
            cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Start();
        }
        trainer.Run(cancel.Token);
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuUse = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds / seconds;
        double rssEnd = ProcessMemory.ResidentMb();
        double trainRate = options.Steps * options.Batch / seconds;
        return new BenchRow(ModelConfig.Name(decoder), path, trainRate, Inference(vae, images, options), 1, 1,
            cpuUse, rssStart, rssEnd, ProcessMemory.PeakResidentMb());
    }

    static double Inference(Vae vae, TrainingImages images, BenchOptions options)
    {
        vae.eval();
        using var noGrad = no_grad();
        var clock = new Stopwatch();
        for (int step = -options.Warmup; step < options.Steps; step++)
        {
            if (step == 0) clock.Start();
            using var scope = NewDisposeScope();
            int start = (int)((long)Math.Max(step, 0) * options.Batch % Math.Max(1, images.Count - options.Batch));
            var x = images.Range(start, Math.Min(options.Batch, images.Count));
            vae.Reconstruct(x).sum().item<float>();
        }
        return options.Steps * options.Batch / clock.Elapsed.TotalSeconds;
    }
}
