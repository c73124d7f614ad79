using System.CommandLine;
using Sbvae.Sweeps;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae aggregate`: one table of a sweep's finished entries, mean ± sd over seeds per configuration.</summary>
public static class AggregateCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "A sweep folder written by sbvae sweep" };
        var output = new Option<string?>("--out") { Description = "Prefix of the files to write: PREFIX.csv, PREFIX.md, PREFIX.png, PREFIX_long.csv, PREFIX_dlib.json, PREFIX_losses.png, PREFIX_reconstructions.png (default DIR/summary)" };
        var cmd = new Command("aggregate", "Summarise a sweep: final losses and metrics as mean ± sd over seeds, as CSV, Markdown and a bar chart")
        {
            dir, output,
        };
        cmd.SetAction(p =>
        {
            string folder = p.GetValue(dir)!;
            string prefix = p.GetValue(output) ?? Path.Combine(folder, "summary");
            foreach (var ext in new[] { ".csv", ".md", ".png", SweepTable.LongSuffix, SweepTable.DlibSuffix, SweepTable.LossesSuffix, SweepReconstructions.Suffix }) CommonOptions.CheckOutputFile(prefix + ext);
            var summary = Aggregation.Collect(folder);
            if (summary.Rows.All(r => r.Finished == 0))
                throw new SbvaeException($"no finished entries in '{folder}' ({summary.Plan.Entries.Count} planned); run sbvae sweep first");
            var files = SweepTable.Write(summary, prefix, folder);
            Console.Write(SweepTable.Markdown(summary));
            Console.WriteLine($"wrote {string.Join(", ", files)}");
            return 0;
        });
        return cmd;
    }
}
