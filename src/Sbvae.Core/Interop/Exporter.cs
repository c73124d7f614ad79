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

    /// <summary>Safetensors metadata keys: the likelihood the decoder's output is for (a bernoulli decoder outputs logits) and the objective it was trained with.</summary>
    public const string LikelihoodKey = "likelihood", ObjectiveKey = "objective";

    /// <summary>
    /// Writes the encoder and decoder (never FactorVAE's discriminator, which is training state) and returns the
    /// number of tensors written. A safetensors file records the likelihood and objective in its metadata; a
    /// torch.save archive holds only the state_dict (nowhere to record them: import it with --likelihood).
    /// </summary>
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
                new Dictionary<string, string>
                {
                    ["format"] = "pt",
                    [LikelihoodKey] = checkpoint.Config.Model.Likelihood,
                    [ObjectiveKey] = checkpoint.Config.Model.Objective,
                });
        return tensors.Count;
    }

    /// <summary>The likelihood of a run, for telling the user what a .pt export cannot record.</summary>
    public static string LikelihoodOf(string runDir) => RunFolder.Open(runDir).LoadCheckpoint().Config.Model.Likelihood;
}
