using Sbvae.Checkpoints;
using Sbvae.Models;

namespace Sbvae.Interop;

/// <summary>Weight file formats PyTorch reads.</summary>
public enum ExportFormat { Pt, SafeTensors }

/// <summary>
/// Writes a run's weights in the reference PyTorch layout (SPEC §8): a torch.save archive that
/// torch.load + load_state_dict accept, or a safetensors file with the same plain names.
/// </summary>
public static class Exporter
{
    public static ExportFormat ParseFormat(string? name, string outPath) => name?.ToLowerInvariant() switch
    {
        null => outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? ExportFormat.SafeTensors : ExportFormat.Pt,
        "pt" or "pth" or "torch" => ExportFormat.Pt,
        "safetensors" => ExportFormat.SafeTensors,
        _ => throw new SbvaeException($"unknown format '{name}' (use pt or safetensors)"),
    };

    /// <summary>Returns the number of tensors written.</summary>
    public static int Export(string runDir, ExportFormat format, string outPath)
    {
        var checkpoint = RunFolder.Open(runDir).LoadCheckpoint();
        using var model = new Vae(checkpoint.Config.Model);
        checkpoint.LoadInto(model);
        var tensors = ReferenceLayout.FromModel(model);
        if (format == ExportFormat.Pt)
            TorchFileWriter.Save(outPath, tensors);
        else
            SafeTensors.Write(outPath, tensors.Select(t => (t.Name, RawTensor.FromFloats(t.Values, t.Shape))).ToList(),
                new Dictionary<string, string> { ["format"] = "pt" });
        return tensors.Count;
    }
}
