using Sbvae.Engine;
using System.Runtime.Intrinsics;
using Sbvae.Models;

namespace Sbvae.Tests;

/// <summary>
/// Skips a test whose check applies only on some CPUs, so that elsewhere it shows as skipped, with the
/// reason, instead of passing without checking anything.
/// </summary>
internal static class Skip
{
    /// <summary>The fp32 kernels are written for 16-lane vectors; without them libtorch's ops run instead.</summary>
    public static void UnlessAvx512() =>
        Assert.SkipUnless(Vector512.IsHardwareAccelerated, "needs AVX-512 (Vector512 is not hardware-accelerated here): the kernel is not used on this CPU");

    /// <summary>bf16 training is refused where the CPU only emulates bf16.</summary>
    public static void UnlessNativeBf16() =>
        Assert.SkipUnless(PrecisionSupport.CpuHasNativeBf16, "needs native bf16 arithmetic (AVX-512 BF16 or AMX-BF16), which this CPU lacks");

    public const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// The browser tests drive Debian's chromium; without it they show as skipped on a developer's
    /// machine, but fail under CI (CI=true), where .ci/run installs it.
    /// </summary>
    public static void UnlessChromium()
    {
        if (File.Exists(Chromium)) return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"CI=true but {Chromium} is missing (.ci/run installs Debian's chromium package)");
        Assert.Skip($"needs Debian's chromium at {Chromium} (apt-get install chromium); under CI=true its absence fails");
    }
}
