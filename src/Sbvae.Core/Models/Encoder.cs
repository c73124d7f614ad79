using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sbvae.Models;

/// <summary>
/// q(z|x): four 4×4 stride-2 convs (3→64→64→64→64), a 256-unit layer, and two linear heads
/// for μ and log σ² (SPEC §3). Field and index names match the reference PyTorch state_dict
/// (encoder.encoder_conv.{0,2,4,6,9}, encoder.fc_mu.0, encoder.fc_log_var.0).
/// </summary>
public sealed class Encoder : Module<Tensor, (Tensor Mu, Tensor LogVar)>
{
    private readonly Sequential encoder_conv;
    private readonly Sequential fc_mu;
    private readonly Sequential fc_log_var;

    public Encoder(int latent, int imageSize, int channels = 3) : base(nameof(Encoder))
    {
        int side = imageSize / 16; // four stride-2 convs halve the image four times
        encoder_conv = Sequential(
            Conv2d(channels, 64, 4, stride: 2, padding: 1), ReLU(),
            Conv2d(64, 64, 4, stride: 2, padding: 1), ReLU(),
            Conv2d(64, 64, 4, stride: 2, padding: 1), ReLU(),
            Conv2d(64, 64, 4, stride: 2, padding: 1), ReLU(),
            Flatten(), // channel-major (C, H, W), as the reference
            Linear(64 * side * side, 256), ReLU());
        fc_mu = Sequential(Linear(256, latent));
        fc_log_var = Sequential(Linear(256, latent));
        RegisterComponents();
    }

    /// <summary>How to compute (precision); set through <see cref="Vae.Compute"/>.</summary>
    public ComputeOptions Compute { get; set; } = new();

    public override (Tensor Mu, Tensor LogVar) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var layers = encoder_conv.children().Cast<Module<Tensor, Tensor>>().ToList();
        // On the bf16 path, the first conv and its relu in one hand-written pass where it applies and
        // the next conv runs in bf16 (it reads the kernel's bf16 activation as it is; at smaller
        // images it runs fp32, and rounding its input to bf16 would be new).
        bool inputKernel = Compute.InputKernel && Compute.Dtype == ScalarType.BFloat16
            && layers[0] is Conv2d first && Kernels.InputConv.Handles(x, first)
            && LowPrecision.RunsLow(layers[2], x.shape[2] / 2 * (x.shape[3] / 2), x.device_type);
        var h = inputKernel ? Kernels.InputConv.Apply(StepTimeline.Mark(x, layers[0]), (Conv2d)layers[0]) : x;
        // The convs (and their relus), then on the bf16 path the flatten, hidden layer and heads in one
        // hand-written pass where it applies; else the rest as modules.
        var convs = LowPrecision.Run(layers.Take(layers.Count - 3).Skip(inputKernel ? 2 : 0), h, Compute);
        var hidden = (Linear)layers[^2];
        var (fcMu, fcLogVar) = ((Linear)fc_mu.children().Single(), (Linear)fc_log_var.children().Single());
        if (Compute.HeadKernel && Compute.Dtype == ScalarType.BFloat16 && Kernels.EncoderHead.Handles(convs, hidden, fcMu, fcLogVar))
        {
            var (kernelMu, kernelLogVar) = Kernels.EncoderHead.Apply(StepTimeline.Mark(convs, hidden), hidden, fcMu, fcLogVar);
            return (kernelMu.to(x.dtype).MoveToOuterDisposeScope(), kernelLogVar.to(x.dtype).MoveToOuterDisposeScope());
        }
        var features = LowPrecision.Run(layers.TakeLast(3), convs, Compute);
        var mu = LowPrecision.Run(fc_mu, features, Compute).to(x.dtype);
        var logVar = LowPrecision.Run(fc_log_var, features, Compute).to(x.dtype);
        return (mu.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }
}
