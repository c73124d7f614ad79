using System.Diagnostics;
using static TorchSharp.torch;

namespace Sbvae.Models;

/// <summary>One moment a training step passed: a layer's input going forward or its gradient coming back, or a named point.</summary>
public readonly record struct TimelineEvent(string Label, TimelineEventKind Kind, long Timestamp);

public enum TimelineEventKind { Forward, Backward, Point }

/// <summary>
/// Records, per thread, when a training step reaches each layer going forward and when the
/// gradient reaches it coming back, for `sbvae profile`. A layer's input passes through an
/// identity autograd node that stamps the time in both directions, so the time between stamps
/// is what that layer (with the relu and casts after it) really costs inside a step, per-op
/// overhead included. Off by default; then <see cref="Mark"/> returns its input untouched.
/// </summary>
public static class StepTimeline
{
    static readonly ThreadLocal<List<TimelineEvent>> events = new(() => [], trackAllValues: true);
    static Dictionary<object, string> names = new(ReferenceEqualityComparer.Instance);

    /// <summary>Whether events are recorded (set only while no step runs).</summary>
    public static bool Enabled { get; private set; }

    /// <summary>Starts recording; layers are labelled with their parameter-name prefix in <paramref name="model"/>.</summary>
    public static void Start(TorchSharp.torch.nn.Module model)
    {
        names = model.named_modules().Where(m => m.name.Length > 0)
            .ToDictionary(m => (object)m.module, m => m.name, ReferenceEqualityComparer.Instance);
        Clear();
        Enabled = true;
    }

    public static void Stop() => Enabled = false;

    /// <summary>Forgets what was recorded so far on every thread.</summary>
    public static void Clear()
    {
        foreach (var list in events.Values) list.Clear();
    }

    /// <summary>The events recorded on each thread, in the order they happened there.</summary>
    public static IReadOnlyList<IReadOnlyList<TimelineEvent>> Threads() => [.. events.Values.Where(l => l.Count > 0).Select(l => l.ToList())];

    /// <summary>Points the trainer marks: a step's start and end; on each thread computing a share of a
    /// split batch, the share's start; where the backward starts and ends; on the calling thread,
    /// when all shares are done.</summary>
    public const string StepStart = "step", StepEnd = "step end", ShareStart = "share", Backward = "backward",
        BackwardEnd = "backward end", SharesEnd = "shares end";

    /// <summary>The label of the loss's input (the decoded image).</summary>
    public const string LossLabel = "loss";

    /// <summary><paramref name="input"/> of <paramref name="layer"/> (a module, or a label), stamped going forward and coming back.</summary>
    public static Tensor Mark(Tensor input, object layer)
    {
        if (!Enabled) return input;
        string label = layer as string ?? (names.TryGetValue(layer, out var name) ? name : layer.GetType().Name);
        events.Value!.Add(new(label, TimelineEventKind.Forward, Stopwatch.GetTimestamp()));
        return input.requires_grad ? Stamp.Apply(input, label) : input;
    }

    /// <summary>A named moment of the step on this thread (where a phase starts or ends).</summary>
    public static void Point(string label)
    {
        if (Enabled) events.Value!.Add(new(label, TimelineEventKind.Point, Stopwatch.GetTimestamp()));
    }

    /// <summary>Identity whose backward stamps the time the gradient arrives (on the thread running the backward).</summary>
    sealed class Stamp : autograd.SingleTensorFunction<Stamp>
    {
        static readonly Kernels.GradientHandoff Handoff = new();

        public override string Name => nameof(Stamp);

        public static Tensor Apply(Tensor input, string label) => apply(input, label);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("label", vars[1]);
            return ((Tensor)vars[0]).alias();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            events.Value!.Add(new((string)ctx.get_data("label"), TimelineEventKind.Backward, Stopwatch.GetTimestamp()));
            return Handoff.Hand([gradOutput.alias(), null!]);
        }
    }
}
