using System.Diagnostics;
using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Diagnostics;

/// <summary>What `sbvae bench` measures; defaults are the reference recipe (batch 16, k = 5).</summary>
public sealed record BenchOptions
{
    /// <summary>Timed training steps per measurement (after the warm-up); inference runs as many batches.</summary>
    public int Steps { get; init; } = 60;
    /// <summary>Untimed steps first: JIT compilation and the heap settling into its steady-state layout take a few dozen steps.</summary>
    public int Warmup { get; init; } = 40;
    /// <summary>
    /// The warm-up also lasts at least this long: .NET recompiles a step's hot methods in the background a second
    /// or two after they start, so 40 fast steps (under a second) measured the deconv bf16 step 5–10 % below its pace.
    /// </summary>
    public double WarmupSeconds { get; init; } = 3;
    /// <summary>Every path runs once per round, interleaved, and the best round counts: on a shared machine that filters out other load.</summary>
    public int Rounds { get; init; } = 2;
    public int Batch { get; init; } = 16;
    public int Latent { get; init; } = 5;
    /// <summary>The training objective measured (betavae: the reference; factorvae adds its discriminator's arithmetic).</summary>
    public string Objective { get; init; } = "betavae";
    /// <summary>libtorch intra-op threads; 0 = one per core.</summary>
    public int Threads { get; init; }
    public IReadOnlyList<DecoderKind> Decoders { get; init; } = [DecoderKind.Sbd, DecoderKind.Deconv];
    /// <summary>Compute paths, in the order their levers add up (<see cref="AllPaths"/>).</summary>
    public IReadOnlyList<string> Paths { get; init; } = AllPaths;

    /// <summary>
    /// Each path adds one lever to the one before: fp32-plain (the textbook module graph on the
    /// default allocator), fp32-alloc (+ <see cref="NativeAllocator"/>), fp32 (+ first broadcast
    /// conv from z, and Adam as one pass per tensor: the fp32 training path), fp32-cl (+ channels-last),
    /// bf16-unfused (+ bf16 for the large convs), bf16-io (+ the spatial broadcast decoder's
    /// first layer as one kernel, each decoder's output layer in one, and the encoder's input layer in one),
    /// bf16-unsplit (+ the fp32 stride-2 layers on small planes, the encoder's head and the loss as one kernel each), bf16 (+ the batch split across cores: the bf16 training path).
    /// </summary>
    public static IReadOnlyList<string> AllPaths { get; } = ["fp32-plain", "fp32-alloc", "fp32", "fp32-cl", "bf16-unfused", "bf16-io", "bf16-unsplit", "bf16"];

    public void Validate()
    {
        if (Steps < 1 || Warmup < 0 || Rounds < 1) throw new SbvaeException("steps and rounds must be at least 1, warm-up at least 0");
        if (!(WarmupSeconds >= 0 && WarmupSeconds <= 3600)) throw new SbvaeException($"warm-up seconds must be between 0 and 3600, got {WarmupSeconds}");
        if (Batch < 1 || Batch > 4096) throw new SbvaeException($"batch must be between 1 and 4096, got {Batch}");
        if (Latent < 1) throw new SbvaeException($"latent must be at least 1, got {Latent}");
        if (!ModelConfig.ObjectiveNames.Contains(Objective)) throw new SbvaeException($"unknown objective '{Objective}' (use {string.Join(", ", ModelConfig.ObjectiveNames)})");
        foreach (var p in Paths)
            if (!AllPaths.Contains(p)) throw new SbvaeException($"unknown path '{p}' (use {string.Join(", ", AllPaths)})");
    }

    /// <summary>The compute options of a path (the allocator lever is per process, see <see cref="TunesAllocator"/>).</summary>
    public static EngineOptions Compute(string path) => path switch
    {
        "fp32-plain" or "fp32-alloc" => EngineOptions.Plain,
        "fp32-cl" => EngineOptions.For(Precision.Fp32) with { ChannelsLast = true },
        "bf16-unfused" => EngineOptions.For(Precision.Bf16) with { FusedFirstLayer = false, OutputKernel = false, InputKernel = false, Stride2Kernel = false, HeadKernel = false, LossKernel = false, SplitBatch = false },
        "bf16-io" => EngineOptions.For(Precision.Bf16) with { Stride2Kernel = false, HeadKernel = false, LossKernel = false, SplitBatch = false },
        "bf16-unsplit" => EngineOptions.For(Precision.Bf16) with { SplitBatch = false },
        "bf16" => EngineOptions.For(Precision.Bf16),
        "fp32" => EngineOptions.For(Precision.Fp32),
        _ => throw new SbvaeException($"unknown path '{path}'"),
    };

    public static bool TunesAllocator(string path) => path != "fp32-plain";
}

/// <summary>One decoder and compute path, measured in a process of its own.</summary>
public sealed record BenchRow(
    string Decoder, string Path,
    double TrainImagesPerSecond, double InferImagesPerSecond,
    double TrainRatio, double InferRatio,
    double CpuUse, double RssStartMb, double RssEndMb, double PeakRssMb, double PageFaultsPerStep,
    double TrainGflops);

public sealed record BenchReport(
    string Machine, string Cpu, int Cores, int Threads, bool NativeBf16, string AutoPrecision,
    string TorchSharp, DateTime Utc, BenchOptions Options, IReadOnlyList<BenchRow> Rows,
    double PeakGflopsFp32, double PeakGflopsBf16, IReadOnlyDictionary<string, double> TrainGflopPerImage)
{
    /// <summary>The conv peak (ConvPeak) a path is held against: bf16 for the bf16 paths where the CPU has it, else fp32.</summary>
    public double PeakFor(string path) => path.StartsWith("bf16") && PeakGflopsBf16 > 0 ? PeakGflopsBf16 : PeakGflopsFp32;
}

/// <summary>
/// Training and inference throughput of one decoder and compute path, through the real
/// <see cref="Trainer"/> on the reference dataset, with resident memory and page faults;
/// and the combination of such rows (best round, ratio to fp32-plain) into a report.
/// </summary>
public static class Benchmark
{
    public static BenchRow Measure(DecoderKind decoder, string path, BenchOptions options)
    {
        options.Validate();
        LibtorchThreads.Use(options.Threads);
        using var run = new ReferenceRun(decoder, options.Latent, options.Batch, path.StartsWith("bf16") ? "bf16" : "fp32", BenchOptions.Compute(path), options.Objective);

        var clock = new Stopwatch();
        TimeSpan cpuStart = default;
        double rssStart = 0;
        long faultsStart = 0;
        run.Run(options.Warmup, options.Steps, TimeSpan.FromSeconds(options.WarmupSeconds), () =>
        {
            rssStart = ProcessMemory.ResidentMb();
            faultsStart = ProcessMemory.MinorPageFaults();
            cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Start();
        });
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuUse = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds / seconds;
        double faults = (ProcessMemory.MinorPageFaults() - faultsStart) / (double)options.Steps;
        double rssEnd = ProcessMemory.ResidentMb();
        double trainRate = options.Steps * options.Batch / seconds;
        return new BenchRow(ModelConfig.Name(decoder), path, trainRate, Inference(run.Model, run.Trainer.Engine, run.Images, options),
            1, 1, cpuUse, rssStart, rssEnd, ProcessMemory.PeakResidentMb(), faults, trainRate * ModelFlops.TrainingPerImage(run.Config) / 1e9);
    }

    /// <summary>Best of the rounds per (decoder, path), with ratios to fp32-plain of the same decoder.</summary>
    public static IReadOnlyList<BenchRow> Combine(IEnumerable<BenchRow> measured)
    {
        var best = measured.GroupBy(r => (r.Decoder, r.Path)).Select(g => g.Aggregate(Best)).ToList();
        return [.. best.Select(r => best.FirstOrDefault(b => b.Decoder == r.Decoder && b.Path == "fp32-plain") is { } plain
            ? r with
            {
                TrainRatio = r.TrainImagesPerSecond / plain.TrainImagesPerSecond,
                InferRatio = r.InferImagesPerSecond / plain.InferImagesPerSecond,
            }
            : r)];
    }

    static BenchRow Best(BenchRow a, BenchRow b) => a with
    {
        TrainImagesPerSecond = Math.Max(a.TrainImagesPerSecond, b.TrainImagesPerSecond),
        InferImagesPerSecond = Math.Max(a.InferImagesPerSecond, b.InferImagesPerSecond),
        CpuUse = Math.Max(a.CpuUse, b.CpuUse),
        RssStartMb = Math.Min(a.RssStartMb, b.RssStartMb),
        RssEndMb = Math.Max(a.RssEndMb, b.RssEndMb),
        PeakRssMb = Math.Max(a.PeakRssMb, b.PeakRssMb),
        PageFaultsPerStep = Math.Min(a.PageFaultsPerStep, b.PageFaultsPerStep),
        TrainGflops = Math.Max(a.TrainGflops, b.TrainGflops),
    };

    static double Inference(Vae vae, IInference engine, TrainingImages images, BenchOptions options)
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
            engine.Reconstruct(x).sum().item<float>();
        }
        return options.Steps * options.Batch / clock.Elapsed.TotalSeconds;
    }
}
