using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Models;

/// <summary>Chooses the compute precision: <c>auto</c> takes bf16 only where the hardware makes it fast.</summary>
public static class PrecisionSupport
{
    /// <summary>
    /// True when the CPU has native bfloat16 arithmetic (AVX-512 BF16 or AMX-BF16), where
    /// libtorch's oneDNN convolutions run bf16 about 3× faster than fp32. Elsewhere bf16 is
    /// emulated and slower than fp32. Read from /proc/cpuinfo; false where that is unavailable.
    /// </summary>
    public static bool CpuHasNativeBf16 { get; } = DetectCpuBf16();

    public static Precision Resolve(string name, Device device) => name switch
    {
        "fp32" => Precision.Fp32,
        "bf16" => Precision.Bf16,
        "auto" => device.type == DeviceType.CPU && CpuHasNativeBf16 ? Precision.Bf16 : Precision.Fp32,
        _ => throw new SbvaeException($"unknown precision '{name}' (use fp32, bf16 or auto)"),
    };

    /// <summary>The CPU flags line, or null when it cannot be read (not Linux, no /proc).</summary>
    static string[]? CpuFlags()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return null;
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line?[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
    }

    static bool DetectCpuBf16() => CpuFlags() is { } flags && (flags.Contains("avx512_bf16") || flags.Contains("amx_bf16"));
}
