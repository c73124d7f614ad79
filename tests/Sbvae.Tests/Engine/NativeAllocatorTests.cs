using Sbvae.Engine;
using Sbvae.Training;

namespace Sbvae.Tests.Engine;

public class NativeAllocatorTests
{
    [Fact]
    public void TunesGlibcOnLinuxAndIsIdempotent()
    {
        bool first = NativeAllocator.Tune();
        Assert.Equal(first, NativeAllocator.Tune());
        // This project's CI and supported Linux targets use glibc; elsewhere the call is a no-op.
        if (OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6")) Assert.True(first);
        if (!OperatingSystem.IsLinux()) Assert.False(first);
    }
}
