using System.Diagnostics;
using Sbvae.Engine;
using static TorchSharp.torch;

namespace Sbvae.Diagnostics;

/// <summary>One moment a training step passed: a layer's input going forward or its gradient coming back, or a named point.</summary>
public readonly record struct TimelineEvent(string Label, TimelineEventKind Kind, long Timestamp);

public enum TimelineEventKind { Forward, Backward, Point }

/// <summary>
/// Records, per thread, when a training step reaches each layer going forward and when the
/// gradient reaches it coming back, for `sbvae profile`. A layer's input passes through an
/// identity autograd node that stamps the time in both directions, so the time between stamps
/// is what that layer (with the relu and casts after it) really costs inside a step, per-op
/// overhead included. It watches the engine from outside, as its <see cref="StepMarks.Observer"/>
/// while recording.
/// </summary>
public static class StepTimeline
{
    static readonly Recorder recorder = new();

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
        StepMarks.Observer = recorder;
    }

    public static void Stop()
    {
        Enabled = false;
        StepMarks.Observer = null;
    }

    /// <summary>Forgets what was recorded so far on every thread.</summary>
    public static void Clear()
    {
        foreach (var list in events.Values) list.Clear();
    }

    /// <summary>The events recorded on each thread, in the order they happened there.</summary>
    public static IReadOnlyList<IReadOnlyList<TimelineEvent>> Threads() => [.. events.Values.Where(l => l.Count > 0).Select(l => l.ToList())];

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

    sealed class Recorder : IStepObserver
    {
        public Tensor Layer(Tensor input, object layer) => Mark(input, layer);
        public void Point(string label) => StepTimeline.Point(label);
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
