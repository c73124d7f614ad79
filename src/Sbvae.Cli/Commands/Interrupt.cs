using System.Runtime.InteropServices;

namespace Sbvae.Cli.Commands;

/// <summary>Turns Ctrl+C and SIGTERM into a cancellation, so training can save a checkpoint first.</summary>
public sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource cts = new();
    private readonly PosixSignalRegistration? term;
    private readonly PosixSignalRegistration? intr;

    public CancellationToken Token => cts.Token;

    public Interrupt()
    {
        if (OperatingSystem.IsWindows()) { Console.CancelKeyPress += OnCancel; return; }
        term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    void Handle(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        cts.Cancel();
    }

    void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        cts.Cancel();
    }

    public void Dispose()
    {
        term?.Dispose();
        intr?.Dispose();
        if (OperatingSystem.IsWindows()) Console.CancelKeyPress -= OnCancel;
        cts.Dispose();
    }
}
