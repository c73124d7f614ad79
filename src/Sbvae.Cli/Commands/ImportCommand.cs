using System.CommandLine;
using Sbvae.Interop;
using Sbvae.Models;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae import`: a PyTorch state_dict (torch.save or safetensors, SPEC §8 layout) becomes a run folder.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A state_dict saved by torch.save (.pt/.pth) or a .safetensors file" };
        var decoder = new Option<string>("--decoder") { Description = "sbd or deconv; must match the weights", Required = true };
        var latent = new Option<int?>("--latent") { Description = "Latent size k; inferred from the weights, checked if given" };
        var variance = new Option<double>("--variance") { Description = "Decoder variance σ_x² (not stored in the weights)", DefaultValueFactory = _ => 0.3 };
        var beta = new Option<double>("--beta") { Description = "KL weight β (not stored in the weights)", DefaultValueFactory = _ => 1.0 };
        var unpadded = new Option<bool>("--unpadded") { Description = "The paper's unpadded broadcast decoder (inferred from the grid size when present)" };
        var output = CommonOptions.Out("The run folder to create");
        var cmd = new Command("import", "Make a run folder from PyTorch weights in the reference layout")
        {
            file, decoder, latent, variance, beta, unpadded, output,
        };
        cmd.SetAction(p =>
        {
            var options = new ImportOptions
            {
                Decoder = ModelConfig.ParseDecoder(p.GetValue(decoder)!),
                Latent = p.GetValue(latent),
                Unpadded = p.GetResult(unpadded) is { Implicit: false } ? p.GetValue(unpadded) : null,
                Variance = p.GetValue(variance),
                Beta = p.GetValue(beta),
            };
            var result = Importer.Import(p.GetValue(file)!, p.GetValue(output)!, options);
            foreach (string note in result.Notes) System.Console.Error.WriteLine($"sbvae: note: {note}");
            var m = result.Model;
            System.Console.WriteLine($"imported {ModelConfig.Name(m.Decoder)}{(m.Unpadded ? " (unpadded)" : "")} model, k = {m.Latent}, {m.ImageSize}×{m.ImageSize} images, into {result.Run.Dir}");
            return 0;
        });
        return cmd;
    }
}
