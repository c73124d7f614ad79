namespace Sbvae.Runs;

/// <summary>Another process holds the folder's <see cref="RunLock"/>: nothing was written to it.</summary>
public sealed class RunInUseException(string dir, RunLockHolder? holder)
    : SbvaeException($"'{dir}' is in use by another sbvae process ({holder?.ToString() ?? "holder unknown"}); wait for it to finish or stop it")
{
    public string Dir { get; } = dir;
    public RunLockHolder? Holder { get; } = holder;
}
