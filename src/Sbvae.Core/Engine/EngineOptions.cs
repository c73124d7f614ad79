using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// The levers of the fast CPU engine: how a model is computed, never what (each lever computes
/// the same function) and never part of the checkpoint or the state_dict. Each can be switched
/// on its own so `sbvae bench` can measure it; <see cref="Plain"/> has them all off: the
/// textbook module graph, the reference the fast path is measured and tested against.
/// </summary>
public sealed record EngineOptions
{
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>
    /// Spatial broadcast decoder only: compute the first conv from z and the weights without
    /// building the tiled (B, k+2, G, G) input (see <see cref="BroadcastConv"/>). Exact algebra.
    /// </summary>
    public bool FactoredBroadcast { get; init; } = true;
    /// <summary>
    /// Convolution activations in channels-last (NHWC) memory. libtorch's bf16 convs run
    /// 2–3× faster that way; its fp32 training step runs ≈10% slower, so only bf16 uses it.
    /// Same values, only the strides differ.
    /// </summary>
    public bool ChannelsLast { get; init; }
    /// <summary>
    /// Spatial broadcast decoder, bf16 channels-last path: the first conv, its relu, the cast to
    /// bf16 and the channels-last layout in one hand-written pass (<see cref="Kernels.BroadcastRelu"/>)
    /// instead of five libtorch passes over the largest activation. Same values.
    /// </summary>
    public bool FusedFirstLayer { get; init; }

    /// <summary>
    /// bf16 channels-last path: each decoder's last relu and layer (to the 3 image channels) in a
    /// hand-written kernel with fp32 arithmetic instead of libtorch's, which runs these 3-output
    /// layers far below its usual speed. Both read the bf16 pre-activation, apply the relu as they
    /// load it and write the fp32 image: the spatial broadcast decoder's 3×3 conv
    /// (<see cref="Kernels.OutputConv"/>; libtorch's bf16 conv, padded to 16 outputs, rounded the
    /// image to bf16) and the deconv decoder's last transposed conv (<see cref="Kernels.OutputDeconv"/>;
    /// libtorch's runs on an fp32 copy). Same function.
    /// </summary>
    public bool OutputKernel { get; init; }

    /// <summary>
    /// bf16 channels-last path: the encoder's first conv (3 → 64) and its relu in a hand-written
    /// kernel with fp32 arithmetic (<see cref="Kernels.InputConv"/>) that writes the bf16
    /// activation the next conv reads, instead of libtorch's slow 3-channel fp32 conv, a relu and a
    /// cast. Same function.
    /// </summary>
    public bool InputKernel { get; init; }

    /// <summary>
    /// bf16 channels-last path: the 64-channel 4×4 stride-2 convs and transposed convs that stay
    /// fp32 on small planes (<see cref="LowPrecision.MinPlane"/>), each with its relu, in a
    /// hand-written kernel (<see cref="Kernels.Stride2Conv"/>) instead of libtorch's conv, relu and
    /// their backward, whose per-op cost outweighs the arithmetic there. Same function in fp32.
    /// </summary>
    public bool Stride2Kernel { get; init; }

    /// <summary>
    /// bf16 path: the encoder's flatten, 256-unit layer and relu, and its μ and log σ² heads, all fp32,
    /// in one hand-written pass each way (<see cref="Kernels.EncoderHead"/>) instead of a dozen small
    /// libtorch ops and autograd nodes. Same function in fp32.
    /// </summary>
    public bool HeadKernel { get; init; }

    /// <summary>
    /// bf16 path: the loss — the reconstruction term, the KL term and their batch mean, all fp32 —
    /// in one hand-written pass each way (<see cref="Kernels.GaussianLoss"/>) instead of some twenty
    /// small libtorch ops. Same function in fp32; the per-image terms are then for reading only.
    /// </summary>
    public bool LossKernel { get; init; }

    /// <summary>
    /// Training on the CPU: each core computes its share of the batch on one libtorch thread
    /// (the gradients summed in a fixed order) instead of every op spreading over the cores.
    /// Same loss and gradients up to summation order; as before, a run repeats exactly for
    /// the same seed and thread count. The bf16 path only: on the fp32 path libtorch's
    /// single-threaded convs map and unmap large buffers every step and run slower.
    /// </summary>
    public bool SplitBatch { get; init; }

    /// <summary>
    /// Adam's update as one pass per parameter tensor (<see cref="Engine.FusedAdam"/>) instead of
    /// TorchSharp's eight libtorch calls per tensor, on the same moments. Same update.
    /// </summary>
    public bool FusedAdam { get; init; } = true;

    /// <summary>The plain fp32 module graph: tiled input, NCHW, nn.Conv2d forward, TorchSharp's Adam.</summary>
    public static EngineOptions Plain { get; } = new() { FactoredBroadcast = false, FusedAdam = false };

    public static EngineOptions For(Precision precision) =>
        new() { Precision = precision, ChannelsLast = precision == Precision.Bf16, FusedFirstLayer = precision == Precision.Bf16, OutputKernel = precision == Precision.Bf16, InputKernel = precision == Precision.Bf16, Stride2Kernel = precision == Precision.Bf16, HeadKernel = precision == Precision.Bf16, LossKernel = precision == Precision.Bf16, SplitBatch = precision == Precision.Bf16 };

    internal ScalarType Dtype => Precision == Precision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;

    public override string ToString() =>
        this == Plain ? "fp32-plain" : $"{(Precision == Precision.Bf16 ? "bf16" : "fp32")}{(ChannelsLast ? ", channels-last" : "")}{(FusedFirstLayer ? ", fused first layer" : "")}{(OutputKernel ? ", output-layer kernels" : "")}{(InputKernel ? ", input-layer kernel" : "")}{(Stride2Kernel ? ", stride-2 kernel" : "")}{(HeadKernel ? ", encoder-head kernel" : "")}{(LossKernel ? ", loss kernel" : "")}{(SplitBatch ? ", batch split across cores" : "")}{(FusedAdam ? ", one-pass Adam" : "")}";
}
