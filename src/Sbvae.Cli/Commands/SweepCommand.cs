using System.CommandLine;
using System.Globalization;
using Sbvae.Cli.Terminal;
using Sbvae.Runs;
using Sbvae.Sweeps;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae sweep`: trains every entry of a plan (base options × axes) into one folder, resumably:
/// in this process one after another, in --jobs worker processes fed from one queue, or only
/// entry --index I (one task of a Slurm job array or a Kubernetes indexed Job). An entry another
/// process is training is not touched: --index exits <see cref="CliApp.InUse"/> with one line
/// naming the holder; a whole sweep skips it, lists it at the end and exits with that code too
/// (1 if an entry failed), so a scheduler or a user sees that not everything ran.
/// </summary>
public static class SweepCommand
{
    /// <summary>Read as the entry index when --index is not given (e.g. set from SLURM_ARRAY_TASK_ID).</summary>
    public const string IndexVariable = "SBVAE_SWEEP_INDEX";

    public static Command Create()
    {
        var planPath = new Argument<string>("PLAN") { Description = "The plan: JSON with \"base\" train options, \"axes\" to cross and optional \"metrics\"" };
        var output = new Option<string?>("--out") { Description = "The sweep folder: plan.json and one run folder per entry" };
        var jobs = new Option<int>("--jobs") { Description = "Worker processes that train entries side by side, fed from one queue", DefaultValueFactory = _ => 1 };
        var index = new Option<int?>("--index") { Description = $"Run only entry I (0-based); default: ${IndexVariable} when set" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads per entry (0 = one per core); default: the plan's, or cores / jobs with --jobs" };
        var list = new Option<bool>("--list") { Description = "Print the entries with their index (and, with --out, what is left to do), then stop" };
        var noLock = CommonOptions.NoLock();
        var noTensorBoard = CommonOptions.NoTensorBoard();
        var cmd = new Command("sweep", "Train every combination of a plan's axes (resumable; local workers or a cluster job array)")
        {
            planPath, output, jobs, index, threads, list, noLock, noTensorBoard,
        };
        cmd.SetAction(p =>
        {
            string planFile = Path.GetFullPath(p.GetValue(planPath)!);
            var plan = SweepPlan.Load(planFile);
            int jobCount = p.GetValue(jobs);
            if (jobCount < 1 || jobCount > 256) throw new SbvaeException($"--jobs must be between 1 and 256, got {jobCount}");
            int? t = p.GetValue(threads);
            if (t is < 0 or > 1024) throw new SbvaeException($"--threads must be between 0 and 1024, got {t}");
            int? only = p.GetValue(index) ?? (jobCount == 1 ? IndexFromEnvironment() : null);
            if (only is not null && jobCount > 1) throw new SbvaeException("give either --index or --jobs, not both");
            if (only is int i && (i < 0 || i >= plan.Entries.Count))
                throw new SbvaeException($"--index {i} is out of range: the plan has {plan.Entries.Count} entries (0–{plan.Entries.Count - 1})");
            string? dir = p.GetValue(output);
            if (p.GetValue(list)) return List(plan, dir);
            if (dir is null) throw new SbvaeException("give --out DIR, the sweep folder");
            SweepRunner.CheckDatasets(plan);
            int added = SweepRunner.Prepare(dir, plan);
            if (added > 0 && only is null)
                Console.Error.WriteLine($"sbvae: the plan adds {added} entries to the one recorded in {dir}; recorded the new plan, finished runs are kept");
            bool locking = !p.GetValue(noLock), tensorBoard = !p.GetValue(noTensorBoard);
            if (jobCount > 1) return SweepWorkers.Run(planFile, dir, plan, jobCount, t, locking, tensorBoard);

            // A metric left out (e.g. FactorVAE on a set that is neither a grid nor generated) is said, not silently missing.
            var runner = new SweepRunner(dir, plan, t, TrainingProgress.Run, locking, tensorBoard, n => Console.Error.WriteLine($"sbvae: note: {n}"));
            using var interrupt = new Interrupt();
            var failed = new List<string>();
            var held = new List<SweepEntry>();
            foreach (var entry in plan.Entries)
            {
                if (only is int k && entry.Index != k) continue;
                EntryOutcome outcome;
                try { outcome = runner.Run(entry.Index, interrupt.Token); }
                catch (RunInUseException e)
                {
                    Console.Error.WriteLine(only is null ? $"sbvae: [{entry.Index}] {entry.Name} skipped: {e.Message}" : $"sbvae: error: {e.Message}");
                    held.Add(entry);
                    continue;
                }
                catch (SbvaeException e) when (only is null)
                {
                    Console.Error.WriteLine($"sbvae: [{entry.Index}] {entry.Name} failed: {e.Message}");
                    failed.Add(entry.Name);
                    continue;
                }
                if (outcome.Action == EntryAction.Interrupted)
                {
                    Console.Error.WriteLine($"sbvae: interrupted; checkpoint saved in {SweepRunner.EntryDir(dir, entry)}. Run the same command again to continue.");
                    return CliApp.Interrupted;
                }
                Console.WriteLine(Describe(outcome));
            }
            if (only is null)
            {
                Console.WriteLine($"sweep: {plan.Entries.Count - failed.Count - held.Count} of {plan.Entries.Count} entries done in {dir}; summarise with: sbvae aggregate {dir}");
                ReportHeld(held);
            }
            return failed.Count > 0 ? 1 : held.Count > 0 ? CliApp.InUse : 0;
        });
        return cmd;
    }

    /// <summary>The entries skipped because another process holds them, after the summary so that they are not missed.</summary>
    internal static void ReportHeld(IReadOnlyList<SweepEntry> held)
    {
        if (held.Count == 0) return;
        Console.Error.WriteLine($"sbvae: {held.Count} entries skipped because another process is training them: " +
            string.Join(", ", held.Select(e => $"[{e.Index}] {e.Name}")) + "; run the same command again once it has finished");
    }

    static int? IndexFromEnvironment()
    {
        string? v = Environment.GetEnvironmentVariable(IndexVariable);
        if (string.IsNullOrWhiteSpace(v)) return null;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)
            ? i : throw new SbvaeException($"{IndexVariable} must be an entry index, got '{v}'");
    }

    static int List(SweepPlan plan, string? dir)
    {
        bool status = dir is not null && File.Exists(Path.Combine(dir, SweepRunner.PlanFile));
        if (status) SweepRunner.Prepare(dir!, plan, record: false);
        foreach (var e in plan.Entries)
        {
            string line = $"{e.Index,4}  {e.Name}";
            if (status) line += "  " + (SweepRunner.Unfinished(dir!, plan, e) ?? "done");
            Console.WriteLine(line);
        }
        return 0;
    }

    internal static string Describe(EntryOutcome o)
    {
        string head = $"[{o.Entry.Index}] {o.Entry.Name}: ";
        string final = o.Last is { } r ? $", final kl {r.Kl:F3}, reconstruction {r.Reconstruction:F3}" : "";
        string metrics = o.Evaluated ? $", wrote {SweepRunner.MetricsFile}" : "";
        return head + o.Action switch
        {
            EntryAction.AlreadyDone => $"already trained for {o.Entry.Template.Train.Length()}",
            EntryAction.Resumed => $"resumed at epoch {o.FromEpoch}, trained to {o.Entry.Template.Train.Length()}",
            _ => $"trained {o.Entry.Template.Train.Length()}",
        } + final + metrics;
    }
}
