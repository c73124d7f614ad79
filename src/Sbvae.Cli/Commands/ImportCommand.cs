using System.CommandLine;
using Sbvae.Interop;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae import`: a PyTorch state_dict (torch.save or safetensors, SPEC §8 layout) becomes a run folder.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A state_dict saved by torch.save (.pt/.pth) or a .safetensors file" };
        var decoder = new Option<string>("--decoder") { Description = "sbd or deconv; must match the weights", Required = true };
        // An inferred option has no default: absent, the weights decide.
        var taken = TrainingOptions.All.Where(o => o.Import is not null)
            .Select(o => (Entry: o, Cli: CliOption.For(o, o.Import!.Description, withDefault: !o.Import.IsInferred))).ToList();
        var output = CommonOptions.Out("The run folder to create");
        var cmd = new Command("import", "Make a run folder from PyTorch weights in the reference layout") { file, decoder };
        foreach (var (_, option) in taken) cmd.Options.Add(option);
        cmd.Options.Add(output);
        cmd.SetAction(p =>
        {
            var options = new ImportOptions { Decoder = ModelConfig.ParseDecoder(p.GetValue(decoder)!) };
            foreach (var (entry, option) in taken)
                if (CliOption.Given(p, option)) options = options.With(entry, CliOption.Value(p, entry, option));
            var result = Importer.Import(p.GetValue(file)!, p.GetValue(output)!, options);
            foreach (string note in result.Notes) System.Console.Error.WriteLine($"sbvae: note: {note}");
            var m = result.Model;
            System.Console.WriteLine($"imported {ModelConfig.Name(m.Decoder)}{(m.Unpadded ? " (unpadded)" : "")} model, k = {m.Latent}, {m.ImageSize}×{m.ImageSize} images, into {result.Run.Dir}");
            return 0;
        });
        return cmd;
    }
}
