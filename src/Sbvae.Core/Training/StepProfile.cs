using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>What `sbvae profile` runs: real training steps on the reference data (batch 16, k = 5 by default).</summary>
public sealed record ProfileOptions
{
    public int Steps { get; init; } = 40;
    public int Warmup { get; init; } = 20;
    public int Batch { get; init; } = 16;
    public int Latent { get; init; } = 5;
    /// <summary>libtorch threads; 0 = one per core.</summary>
    public int Threads { get; init; }
    public string Precision { get; init; } = "auto";

    public void Validate()
    {
        if (Steps < 1 || Warmup < 0) throw new SbvaeException("steps must be at least 1, warm-up at least 0");
        if (Batch < 1 || Batch > 4096) throw new SbvaeException($"batch must be between 1 and 4096, got {Batch}");
        if (Latent < 1) throw new SbvaeException($"latent must be at least 1, got {Latent}");
        PrecisionSupport.Resolve(Precision, CPU);
    }
}

/// <summary>
/// One layer's mean time in a share of a step: forward from its input's stamp to the next
/// layer's, backward from the gradient reaching the next layer's input to reaching its own.
/// Its relu and dtype casts fall in with it. <see cref="Flop"/>: the textbook arithmetic of the
/// share (<see cref="ModelFlops"/>), 0 where it has none (the loss). <see cref="Includes"/>: the layers
/// after it that one kernel computes with it (unstamped, so their time and arithmetic count here).
/// </summary>
public sealed record LayerTime(string Layer, double ForwardMs, double BackwardMs, double Flop)
{
    public IReadOnlyList<string> Includes { get; init; } = [];

    public double TotalMs => ForwardMs + BackwardMs;
    public double Gflops => Flop > 0 && TotalMs > 0 ? Flop / TotalMs / 1e6 : 0;
}

/// <summary>
/// Where a training step's time goes (means over the profiled steps, so the parts add up): one share's forward
/// and backward (the whole batch when not split), waiting for the other shares, the gradient
/// sum and optimizer update, and before them the batch and noise; and share 0's layers.
/// </summary>
public sealed record StepProfile(
    string Decoder, string Precision, bool Split, int Shares, int ShareImages, int Threads, int Steps,
    double StepMs, double ShareMs, IReadOnlyList<double> OtherSharesMs, IReadOnlyList<double> OtherSharesLateMs, double WaitMs, double UpdateMs, double BatchMs,
    IReadOnlyList<LayerTime> Layers)
{
    public double ImagesPerSecond(int batch) => batch / StepMs * 1000;

    /// <summary>Profiles <paramref name="decoder"/>'s training step as `sbvae train` would run it.</summary>
    public static StepProfile Measure(DecoderKind decoder, ProfileOptions options)
    {
        options.Validate();
        int threads = TrainingSetup.UseThreads(options.Threads);
        using var run = new ReferenceRun(decoder, options.Latent, options.Batch, options.Precision);
        IReadOnlyList<IReadOnlyList<TimelineEvent>> recorded;
        try
        {
            run.Run(options.Warmup, options.Steps, TimeSpan.Zero, () => StepTimeline.Start(run.Model));
            recorded = StepTimeline.Threads();
        }
        finally
        {
            StepTimeline.Stop();
            StepTimeline.Clear();
        }
        bool split = run.Model.Compute.SplitBatch && threads > 1;
        int shares = split ? Math.Min(threads, options.Batch) : 1;
        return Analyse(recorded, ModelConfig.Name(decoder), run.Model.Compute.Precision.ToString().ToLowerInvariant(), split, shares,
            options.Batch / shares, threads, ModelFlops.Layers(run.Config));
    }

    /// <summary>Means from the recorded events; the thread with step points is the one that ran share 0.</summary>
    public static StepProfile Analyse(IReadOnlyList<IReadOnlyList<TimelineEvent>> threads, string decoder, string precision,
        bool split, int shares, int shareImages, int threadCount, IReadOnlyList<ModelFlops.Layer> flops)
    {
        var main = threads.FirstOrDefault(t => t.Any(e => e.Label == StepTimeline.StepStart))
            ?? throw new SbvaeException("no training step was recorded");
        var steps = StepsOf(main);
        if (steps.Count == 0) throw new SbvaeException("no complete training step was recorded");
        string shareStart = split ? StepTimeline.ShareStart : StepTimeline.StepStart;
        var mainShares = steps.Select(s => SharesOf(s, shareStart).Single()).ToList();
        var otherShares = threads.Where(t => !ReferenceEquals(t, main))
            .Select(t => SharesOf(t, StepTimeline.ShareStart)).Where(s => s.Count > 0).ToList();
        var others = otherShares.Select(s => Mean(s.Select(x => x.TotalMs))).ToList();
        // How much later than share 0 each other share started (waking its thread): matched to the step it ran in.
        var starts = mainShares.Select(x => x.Start).ToArray();
        var lags = otherShares.Select(s => Mean(s.Select(x => Array.FindLastIndex(starts, t => t <= x.Start) is var i and >= 0 ? Ms(starts[i], x.Start) : double.NaN)
            .Where(double.IsFinite))).ToList();

        double update = Mean(steps.Select(s => Ms(Time(s, split ? StepTimeline.SharesEnd : StepTimeline.BackwardEnd), s[^1].Timestamp)));
        double wait = split ? Mean(steps.Select(s => Ms(Time(s, StepTimeline.BackwardEnd), Time(s, StepTimeline.SharesEnd)))) : 0;
        double step = Mean(steps.Select(s => Ms(s[0].Timestamp, s[^1].Timestamp)));
        double share = Mean(mainShares.Select(x => x.TotalMs));

        var labels = mainShares.SelectMany(x => x.Layers.Keys).Distinct().ToList(); // forward order
        // A layer without stamps is computed by one kernel with the stamped layer before it (in model order).
        var includes = labels.ToDictionary(l => l, _ => new List<ModelFlops.Layer>());
        string? owner = null;
        foreach (var layer in flops)
        {
            if (includes.ContainsKey(layer.Name)) owner = layer.Name;
            else if (owner is not null) includes[owner].Add(layer);
        }
        double Flop(ModelFlops.Layer l) => 2.0 * l.MultiplyAdds * shareImages * (l.NeedsInputGradient ? 3 : 2);
        var layers = labels.Select(label =>
        {
            var layer = flops.FirstOrDefault(l => l.Name == label);
            double flop = (layer is null ? 0 : Flop(layer)) + includes[label].Sum(Flop);
            var times = mainShares.Where(x => x.Layers.ContainsKey(label)).Select(x => x.Layers[label]).ToList();
            return new LayerTime(label, Mean(times.Select(t => t.Forward)), Mean(times.Select(t => t.Backward)), flop)
            {
                Includes = [.. includes[label].Select(l => l.Name)],
            };
        }).ToList();
        return new StepProfile(decoder, precision, split, shares, shareImages, threadCount, steps.Count,
            step, share, others, lags, wait, update, Mean(steps.Select(s => Ms(s[0].Timestamp, Time(s, shareStart)))), layers);
    }

    sealed record ShareTimes(long Start, double TotalMs, Dictionary<string, (double Forward, double Backward)> Layers);

    /// <summary>The main thread's events cut into steps (StepStart … StepEnd).</summary>
    static List<List<TimelineEvent>> StepsOf(IReadOnlyList<TimelineEvent> events) => Spans(events, StepTimeline.StepStart, StepTimeline.StepEnd);

    /// <summary>Each share on a thread: from its start point to the end of its backward.</summary>
    static List<ShareTimes> SharesOf(IReadOnlyList<TimelineEvent> events, string start) =>
        [.. Spans(events, start, StepTimeline.BackwardEnd).Select(Share)];

    /// <summary>The events from each <paramref name="start"/> point to the next <paramref name="end"/> point, both included.</summary>
    static List<List<TimelineEvent>> Spans(IReadOnlyList<TimelineEvent> events, string start, string end)
    {
        var spans = new List<List<TimelineEvent>>();
        List<TimelineEvent>? current = null;
        foreach (var e in events)
        {
            if (e.Kind == TimelineEventKind.Point && e.Label == start) current = [];
            if (current is null) continue;
            current.Add(e);
            if (e.Kind == TimelineEventKind.Point && e.Label == end)
            {
                spans.Add(current);
                current = null;
            }
        }
        return spans;
    }

    /// <summary>
    /// Layer times of one share. Forward: stamp to next stamp (the last runs to the backward's
    /// start). Backward: each stamp's gradient time minus the one before it in time (the first
    /// minus the backward's start); a stamp whose input needs no gradient (the image) gets what
    /// is left until the backward ends: the first layer's weight gradient.
    /// </summary>
    static ShareTimes Share(List<TimelineEvent> events)
    {
        long start = events[0].Timestamp, backward = Time(events, StepTimeline.Backward), end = events[^1].Timestamp;
        var forward = events.Where(e => e.Kind == TimelineEventKind.Forward).ToList();
        var layers = new Dictionary<string, (double Forward, double Backward)>();
        for (int i = 0; i < forward.Count; i++)
        {
            long next = i + 1 < forward.Count ? forward[i + 1].Timestamp : backward;
            Add(layers, forward[i].Label, Ms(forward[i].Timestamp, next), 0);
        }
        long previous = backward;
        foreach (var e in events.Where(e => e.Kind == TimelineEventKind.Backward).OrderBy(e => e.Timestamp))
        {
            Add(layers, e.Label, 0, Ms(previous, e.Timestamp));
            previous = e.Timestamp;
        }
        var unstamped = forward.Select(e => e.Label).FirstOrDefault(l => events.All(e => e.Kind != TimelineEventKind.Backward || e.Label != l));
        if (unstamped is not null) Add(layers, unstamped, 0, Ms(previous, end));
        return new ShareTimes(start, Ms(start, end), layers);
    }

    static void Add(Dictionary<string, (double Forward, double Backward)> layers, string label, double forward, double backward)
    {
        var (f, b) = layers.GetValueOrDefault(label);
        layers[label] = (f + forward, b + backward);
    }

    static long Time(List<TimelineEvent> events, string point) =>
        events.First(e => e.Kind == TimelineEventKind.Point && e.Label == point).Timestamp;

    static double Ms(long from, long to) => (to - from) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    static double Mean(IEnumerable<double> values)
    {
        var all = values.ToArray();
        return all.Length == 0 ? 0 : all.Average();
    }
}
