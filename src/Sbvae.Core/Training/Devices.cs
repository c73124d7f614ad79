using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Training;

/// <summary>The device a run asks for, checked against what this build of libtorch has.</summary>
public static class Devices
{
    public static Device Resolve(string name)
    {
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
            throw new SbvaeException("CUDA is not available (this build uses the CPU libtorch); use --device cpu");
        return torch.device(name);
    }
}
