using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>Chooses the compute precision: <c>auto</c> takes bf16 only where the hardware makes it fast.</summary>
public static class PrecisionSupport
{
    /// <summary>Set to 0 or 1, overrides what the CPU is detected to have (to try the other case on one machine).</summary>
    public const string OverrideVariable = "SBVAE_NATIVE_BF16";

    /// <summary>
    /// True when the CPU has native bfloat16 arithmetic (AVX-512 BF16 or AMX-BF16), where
    /// libtorch's oneDNN convolutions run bf16 about 3× faster than fp32. Elsewhere bf16 is
    /// emulated and slower than fp32. Read from /proc/cpuinfo (false where that is unavailable),
    /// unless <see cref="OverrideVariable"/> says otherwise.
    /// </summary>
    public static bool CpuHasNativeBf16 { get; } = Environment.GetEnvironmentVariable(OverrideVariable) switch
    {
        "1" => true,
        "0" => false,
        _ => DetectCpuBf16(),
    };

    /// <summary>
    /// A one-line warning when <paramref name="name"/> asks for bf16 on a CPU that only emulates it
    /// (it then trains correctly but slower than fp32); null otherwise.
    /// </summary>
    public static string? SlowWarning(string name, Device device) =>
        name == "bf16" && device.type == DeviceType.CPU && !CpuHasNativeBf16
            ? "this CPU has no native bf16 (AVX-512 BF16 or AMX), so --precision bf16 is emulated and will train slower than fp32; --precision auto picks fp32 here"
            : null;

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
