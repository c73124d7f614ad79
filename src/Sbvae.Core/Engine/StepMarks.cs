using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>Sees a training step from outside: each layer's input on its way, and named moments (`sbvae profile`).</summary>
public interface IStepObserver
{
    /// <summary><paramref name="input"/> of <paramref name="layer"/> (a module, or a label); returns it, or a stand-in that computes the same.</summary>
    Tensor Layer(Tensor input, object layer);
    /// <summary>A named moment of the step on the calling thread.</summary>
    void Point(string label);
}

/// <summary>
/// Where the engine tells an observer what a step is doing. With none set (always, outside
/// `sbvae profile`) a mark is a null check and returns its input untouched.
/// </summary>
public static class StepMarks
{
    /// <summary>Set only while no step runs.</summary>
    public static IStepObserver? Observer { get; set; }

    public static Tensor Layer(Tensor input, object layer) => Observer is { } o ? o.Layer(input, layer) : input;

    public static void Point(string label) => Observer?.Point(label);

    /// <summary>Points the trainer and engine mark: a step's start and end; on each thread computing a share of a
    /// split batch, the share's start; where the backward starts and ends; on the calling thread,
    /// when all shares are done.</summary>
    public const string StepStart = "step", StepEnd = "step end", ShareStart = "share", Backward = "backward",
        BackwardEnd = "backward end", SharesEnd = "shares end";

    /// <summary>The label of the loss's input (the decoded image).</summary>
    public const string LossLabel = "loss";
}
