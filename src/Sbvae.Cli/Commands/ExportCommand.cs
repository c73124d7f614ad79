using System.CommandLine;
using Sbvae.Interop;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae export`: a run's weights in the reference PyTorch layout (SPEC §8).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = CommonOptions.RunDir();
        var format = new Option<string?>("--format") { Description = "pt (torch.save, for torch.load + load_state_dict) or safetensors; default from the file name" };
        var output = CommonOptions.Out("The weight file to write");
        var cmd = new Command("export", "Write a run's weights for PyTorch") { run, format, output };
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            var kind = Exporter.ParseFormat(p.GetValue(format), outPath);
            int n = Exporter.Export(p.GetValue(run)!, kind, outPath);
            System.Console.WriteLine($"wrote {n} tensors ({(kind == ExportFormat.Pt ? "torch.save" : "safetensors")}) to {outPath}");
            if (kind == ExportFormat.Pt && Exporter.LikelihoodOf(p.GetValue(run)!) is var likelihood and not "gaussian")
                System.Console.Error.WriteLine($"sbvae: note: a torch.save file cannot record the {likelihood} likelihood; import it with --likelihood {likelihood}");
            return 0;
        });
        return cmd;
    }
}
