using System.Diagnostics;
using System.Runtime.InteropServices;
using Sbvae.Sweeps;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sweep --jobs N`: a queue of the unfinished entries, drained by at most N worker processes
/// at a time, each `sbvae sweep PLAN --out DIR --index I` (the very command a cluster task runs).
/// On Ctrl+C or SIGTERM no new worker starts and the running ones are told to checkpoint and stop.
/// This process takes no entry lock: each worker locks its own entry, and a worker that finds
/// it held by another process exits <see cref="CliApp.InUse"/>, which lists the entry as skipped.
/// </summary>
internal static class SweepWorkers
{
    const int SigTerm = 15;

    sealed record Worker(SweepEntry Entry, Process Process, Task Exit)
    {
        public string LastError = "";
    }

    public static int Run(string planFile, string dir, SweepPlan plan, int jobs, int? threads, bool locking, bool tensorBoard = true)
    {
        var queue = new Queue<SweepEntry>();
        foreach (var e in plan.Entries)
            if (SweepRunner.Unfinished(dir, plan, e) is null) Console.WriteLine($"[{e.Index}] {e.Name}: already done");
            else queue.Enqueue(e);
        int perWorker = threads ?? Math.Max(1, Environment.ProcessorCount / jobs);
        var running = new List<Worker>();
        int failed = 0, interrupted = 0;
        var held = new List<SweepEntry>();
        using var interrupt = new Interrupt();
        using var stop = interrupt.Token.Register(() => { lock (running) foreach (var w in running) Signal(w.Process); });
        while (queue.Count > 0 || running.Count > 0)
        {
            lock (running)
                while (running.Count < jobs && queue.Count > 0 && !interrupt.Token.IsCancellationRequested)
                    running.Add(Start(planFile, dir, queue.Dequeue(), perWorker, locking, tensorBoard));
            if (running.Count == 0) break;
            int done = Task.WaitAny(running.Select(w => w.Exit).ToArray());
            Worker finished;
            lock (running) { finished = running[done]; running.RemoveAt(done); }
            int code = finished.Process.ExitCode;
            finished.Process.Dispose();
            if (code == CliApp.Interrupted) interrupted++;
            else if (code == CliApp.InUse)
            {
                held.Add(finished.Entry);
                string why = finished.LastError.StartsWith("error: ", StringComparison.Ordinal) ? finished.LastError[7..] : finished.LastError;
                Console.Error.WriteLine($"sbvae: [{finished.Entry.Index}] {finished.Entry.Name} skipped: {why}");
            }
            else if (code != 0)
            {
                failed++;
                Console.Error.WriteLine($"sbvae: [{finished.Entry.Index}] {finished.Entry.Name} failed (exit {code}): {finished.LastError}");
            }
        }
        if (interrupted > 0 || interrupt.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("sbvae: interrupted; checkpoints saved. Run the same command again to continue.");
            return CliApp.Interrupted;
        }
        Console.WriteLine($"sweep: {plan.Entries.Count - failed - held.Count} of {plan.Entries.Count} entries done in {dir}; summarise with: sbvae aggregate {dir}");
        SweepCommand.ReportHeld(held);
        return failed > 0 ? 1 : held.Count > 0 ? CliApp.InUse : 0;
    }

    static Worker Start(string planFile, string dir, SweepEntry entry, int threads, bool locking, bool tensorBoard)
    {
        var start = SelfProcess.StartInfo();
        foreach (var a in new[] { "sweep", planFile, "--out", Path.GetFullPath(dir), "--index", $"{entry.Index}", "--threads", $"{threads}" })
            start.ArgumentList.Add(a);
        if (!locking) start.ArgumentList.Add("--no-lock");
        if (!tensorBoard) start.ArgumentList.Add("--no-tensorboard");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        Worker? worker = null;
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.WriteLine(line); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line) return;
            if (line.StartsWith("sbvae: note: ", StringComparison.Ordinal)) { Console.Error.WriteLine(line); return; }
            if (worker is not null) worker.LastError = line.StartsWith("sbvae: ", StringComparison.Ordinal) ? line[7..] : line;
        };
        if (!process.Start()) throw new SbvaeException($"could not start a worker for entry {entry.Index}");
        worker = new Worker(entry, process, process.WaitForExitAsync());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    static void Signal(Process p)
    {
        if (OperatingSystem.IsWindows()) return; // Ctrl+C reaches the whole console group there
        try { if (!p.HasExited) _ = Kill(p.Id, SigTerm); }
        catch (InvalidOperationException) { }
    }

    [DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);
}
