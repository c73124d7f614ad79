using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sbvae.Runs;

/// <summary>The few libc calls <see cref="RunLock"/> needs on Unix beyond what FileStream does.</summary>
static class FileLocks
{
    const int LockExclusive = 2, LockNonBlocking = 4;
    const int ReadOnly = 0;

    /// <summary>EWOULDBLOCK, the errno of a lock another open file holds (.NET puts it in HResult on Unix).</summary>
    static int WouldBlock => OperatingSystem.IsLinux() ? 11 : 35;
    const int WindowsSharingViolation = unchecked((int)0x80070020);

    public static bool IsHeldError(IOException e) =>
        OperatingSystem.IsWindows() ? e.HResult == WindowsSharingViolation : e.HResult == WouldBlock;

    /// <summary>flock(LOCK_EX | LOCK_NB) on the stream's file: true if held; false with a null error if another holds it, else with the reason.</summary>
    public static bool TryLockExclusive(FileStream file, out string? error)
    {
        error = null;
        int fd = (int)file.SafeFileHandle.DangerousGetHandle();
        if (Flock(fd, LockExclusive | LockNonBlocking) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno != WouldBlock) error = Marshal.GetPInvokeErrorMessage(errno);
        return false;
    }

    /// <summary>
    /// The file's text, read without taking a lock (FileStream would take a shared flock, which
    /// the holder's exclusive one refuses); null if it cannot be read.
    /// </summary>
    public static string? ReadUnlocked(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var r = new StreamReader(s, Encoding.UTF8);
                return r.ReadToEnd();
            }
            int fd = Open(path, ReadOnly);
            if (fd < 0) return null;
            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            var buffer = new byte[4096];
            int n = RandomAccess.Read(handle, buffer, 0);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    static extern int Flock(int fd, int operation);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
