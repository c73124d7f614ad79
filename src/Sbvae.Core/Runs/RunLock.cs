using System.Text;

namespace Sbvae.Runs;

/// <summary>
/// One writer per run folder: an exclusive, non-blocking OS lock on DIR/.lock (flock on Unix),
/// with the holder's host, pid and start time written into it so that a refused process can
/// name it. The kernel drops the lock when the process ends, however it ends, so a killed run
/// leaves no stale lock. The file stays after release: deleting it would let a process that
/// had just opened the old file and one that creates a new one both "hold" the folder.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";

    readonly FileStream file;
    public string Dir { get; }

    RunLock(string dir, FileStream file) => (Dir, this.file) = (dir, file);

    /// <summary>The lock on <paramref name="dir"/>, or null without locking when <paramref name="enabled"/> is false (--no-lock).</summary>
    public static RunLock? TakeIf(bool enabled, string dir) => enabled ? Take(dir) : null;

    /// <summary>
    /// Locks <paramref name="dir"/> (creating it), or throws <see cref="RunInUseException"/> naming
    /// the holder; an SbvaeException where the file system cannot lock.
    /// </summary>
    public static RunLock Take(string dir)
    {
        if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
        string path = Path.Combine(dir, FileName);
        FileStream file;
        try
        {
            Directory.CreateDirectory(dir);
            // On Unix FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB); on Windows sharing
            // modes are the lock, and FileShare.Read lets a refused process read the holder line.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite,
                OperatingSystem.IsWindows() ? FileShare.Read : FileShare.None, bufferSize: 0);
        }
        catch (IOException e) when (FileLocks.IsHeldError(e))
        {
            throw new RunInUseException(dir, ReadHolder(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot lock '{dir}': {e.Message}; give --no-lock to go on without a lock");
        }
        try
        {
            // .NET ignores flock errors other than "held" (no locks on this file system, or
            // DOTNET_SYSTEM_IO_DISABLEFILELOCKING): lock again ourselves to learn the truth.
            if (!OperatingSystem.IsWindows() && FileLocks.TryLockExclusive(file, out string? error) is false)
            {
                if (error is null) throw new RunInUseException(dir, ReadHolder(path));
                throw new SbvaeException($"cannot lock '{dir}': the file system refuses locks ({error}); give --no-lock to go on without a lock");
            }
            // Truncate, then one write: a reader sees nothing (and retries) or the whole line.
            file.SetLength(0);
            file.Write(Encoding.UTF8.GetBytes(RunLockHolder.Current().ToLine() + "\n"));
            file.Flush(flushToDisk: false);
            return new RunLock(dir, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Who holds the lock file at <paramref name="path"/> according to its line; null if no whole line could be read.</summary>
    public static RunLockHolder? ReadHolder(string path)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            string? text = FileLocks.ReadUnlocked(path);
            int end = text?.IndexOf('\n') ?? -1;
            if (end > 0) return RunLockHolder.Parse(text![..end]);
            Thread.Sleep(25); // the holder has truncated the file and is about to write its line
        }
        return null;
    }

    public void Dispose()
    {
        try { file.SetLength(0); }
        catch (IOException) { } // the line only names the holder; the lock goes with the handle anyway
        file.Dispose();
    }
}
