using System.Diagnostics;
using System.Runtime.InteropServices;
using Sbvae.Data;
using Sbvae.Cli.Commands;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Sweeps;
using Sbvae.Training;

namespace Sbvae.Tests.Runs;

/// <summary>
/// One writer per run folder, with real processes: a second train on a held folder is refused
/// naming the holder and writes nothing, the lock dies with its holder, and sweep entries held
/// elsewhere are skipped and reported.
/// </summary>
public class RunLockTests
{
    static string[] Args(string s) => s.Split(' ');

    /// <summary>Every file of the folder with its bytes, to show that nothing was written (the held .lock cannot be read so, see ReadHolder).</summary>
    static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFiles(dir).Where(f => Path.GetFileName(f) != RunLock.FileName)
            .ToDictionary(f => Path.GetFileName(f), f => Convert.ToBase64String(File.ReadAllBytes(f)));

    static string TrainedRun(string root, ImageDataset data)
    {
        string dir = Path.Combine(root, "run");
        TrainingSession.Start(dir, new RunConfig(new ModelConfig { Latent = 3, ImageSize = 16 },
            new TrainConfig { Epochs = 1, Threads = 1, Dataset = Path.Combine(root, "tiny.npz") }), data);
        return dir;
    }

    [Fact]
    public void ASecondTrainOnAHeldFolderIsRefusedAndTheLockDiesWithItsHolder()
    {
        string root = TestData.TempDir("lock-train");
        var data = TestData.Tiny();
        data.Save(Path.Combine(root, "tiny.npz"));
        string dir = TrainedRun(root, data);

        using var first = Cli.Start(Args($"train --resume {dir} --epochs 1000 --threads 1"));
        try
        {
            var holder = WaitForHolder(dir, first);
            Assert.Equal(first.Id, holder.Pid);
            Assert.Equal(Environment.MachineName, holder.Host);
            Assert.Equal(0, Stop(first.Id)); // frozen: it holds the lock and writes nothing while we look
            var before = Snapshot(dir);

            foreach (var second in new[] { $"train --resume {dir}", $"train --out {dir} --dataset {Path.Combine(root, "tiny.npz")} --epochs 1" })
            {
                var r = Cli.RunProcess(Args(second));
                Assert.Equal(CliApp.BadInput, r.ExitCode);
                string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.Contains($"'{dir}' is in use", line);
                Assert.Contains($"pid {first.Id} on host {Environment.MachineName}", line);
                Assert.Contains(holder.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss"), line);
            }
            Assert.Equal(before, Snapshot(dir));
            Assert.Equal(holder, RunLock.ReadHolder(Path.Combine(dir, RunLock.FileName)));
        }
        finally
        {
            first.Kill();
            first.WaitForExit();
        }

        // killed without a chance to clean up: the kernel released the lock
        var resumed = Cli.Run(Args($"train --resume {dir} --epochs 2 --threads 1"));
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        using var again = RunLock.Take(dir);
        Assert.Equal(Environment.ProcessId, RunLock.ReadHolder(Path.Combine(dir, RunLock.FileName))!.Pid);
    }

    [Fact]
    public void ALockIsExclusiveEvenWithinOneProcessAndFreeAfterDispose()
    {
        string dir = Path.Combine(TestData.TempDir("lock-unit"), "new");
        var held = RunLock.Take(dir);
        var e = Assert.Throws<RunInUseException>(() => RunLock.Take(dir));
        Assert.Equal(Environment.ProcessId, e.Holder?.Pid);
        Assert.Null(RunLock.TakeIf(false, dir)); // --no-lock
        held.Dispose();
        RunLock.Take(dir).Dispose();
        Assert.Equal(new RunLockHolder("h", 7, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
            RunLockHolder.Parse(new RunLockHolder("h", 7, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)).ToLine()));
        Assert.Null(RunLockHolder.Parse("garbage"));
    }

    [Fact]
    public void CompareRefusesAFolderWhoseRunIsHeldAndTrainsNothing()
    {
        string root = TestData.TempDir("lock-compare");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string dir = Path.Combine(root, "out");
        using (RunLock.Take(Path.Combine(dir, "sbd")))
        {
            var r = Cli.Run(Args($"compare --out {dir} --dataset {Path.Combine(root, "tiny.npz")} --epochs 1 --latent 3 --threads 1"));
            Assert.Equal(CliApp.BadInput, r.ExitCode);
            Assert.Contains($"'{Path.Combine(dir, "sbd")}' is in use", r.Err);
            Assert.Empty(Directory.GetFiles(dir, "*.safetensors", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void SweepEntriesHeldByAnotherProcessAreSkippedAndReported()
    {
        string root = TestData.TempDir("lock-sweep");
        TestData.Tiny().Save(Path.Combine(root, "tiny.npz"));
        string planFile = Path.Combine(root, "plan.json"), dir = Path.Combine(root, "out");
        File.WriteAllText(planFile, """{"base": {"epochs": 1, "dataset": "tiny.npz", "latent": 3, "threads": 1}, "axes": {"seed": [0, 1]}}""");
        var plan = SweepPlan.Load(planFile);
        string held = SweepRunner.EntryDir(dir, plan.Entries[0]);

        // this test process holds entry 0; the sweep runs in another process
        using (RunLock.Take(held))
        {
            var one = Cli.RunProcess(Args($"sweep {planFile} --out {dir} --index 0 --threads 1"));
            Assert.Equal(CliApp.InUse, one.ExitCode);
            string line = Assert.Single(one.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"'{held}' is in use", line);
            Assert.Contains($"pid {Environment.ProcessId}", line);
            Assert.Equal([RunLock.FileName], Directory.GetFiles(held).Select(Path.GetFileName));

            // worker processes train the free entry and list the held one
            var workers = Cli.Run(Args($"sweep {planFile} --out {dir} --jobs 2 --threads 1"));
            Assert.Equal(CliApp.InUse, workers.ExitCode);
            Assert.Contains($"[0] {plan.Entries[0].Name} skipped", workers.Err);
            Assert.Contains($"1 entries skipped because another process is training them: [0] {plan.Entries[0].Name}", workers.Err);
            Assert.Contains("sweep: 1 of 2 entries done", workers.Out);
            Assert.Null(SweepRunner.Unfinished(dir, plan, plan.Entries[1]));
            Assert.Equal("not started", SweepRunner.Unfinished(dir, plan, plan.Entries[0]));
        }

        var after = Cli.Run(Args($"sweep {planFile} --out {dir} --threads 1"));
        Assert.True(after.ExitCode == 0, after.Err);
        Assert.Null(SweepRunner.Unfinished(dir, plan, plan.Entries[0]));
    }

    /// <summary>The holder line of a process that has taken the folder's lock.</summary>
    static RunLockHolder WaitForHolder(string dir, Process process)
    {
        var watch = Stopwatch.StartNew();
        RunLockHolder? seen = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited) Assert.Fail($"the first process ended early: {process.StandardError.ReadToEnd()}");
            seen = RunLock.ReadHolder(Path.Combine(dir, RunLock.FileName));
            if (seen is { } h && h.Pid == process.Id) return h;
            Thread.Sleep(100);
        }
        throw new TimeoutException($"the first process (pid {process.Id}) never took the lock; last holder seen: {seen?.ToString() ?? "none"}");
    }

    const int SigStop = 19;

    static int Stop(int pid) => Kill(pid, SigStop);

    [DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);
}
