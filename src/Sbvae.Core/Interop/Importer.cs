using System.Security.Cryptography;
using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Training;
using TorchSharp;

namespace Sbvae.Interop;

/// <summary>The run folder an import made, its model configuration, and anything the user should know.</summary>
public sealed record ImportResult(RunFolder Run, ModelConfig Model, IReadOnlyList<string> Notes);

/// <summary>
/// Turns a weight file in the reference PyTorch layout (torch.save or safetensors) into a run
/// folder: config.json, an empty losses.csv and a checkpoint at epoch 0 with a fresh optimizer, so
/// encode, reconstruct, figures and train --resume all accept it. import.json records the source.
/// </summary>
public static class Importer
{
    public const string ProvenanceFile = "import.json";

    /// <summary>
    /// The likelihood a safetensors file records (sbvae export writes it), which a given --likelihood must agree with;
    /// without one the stated --likelihood (or the default, gaussian) stands.
    /// </summary>
    static ModelConfig RecordedLikelihood(StateDict sd, ModelConfig model, ImportOptions options)
    {
        if (!sd.Metadata.TryGetValue(Exporter.LikelihoodKey, out var recorded)) return model;
        if (!ModelConfig.LikelihoodNames.Contains(recorded))
            throw new SbvaeException($"'{sd.Source}' records an unknown likelihood '{recorded}' (known: {string.Join(", ", ModelConfig.LikelihoodNames)})");
        if (options.TryGet(TrainingOptions.Likelihood, out string given) && given != recorded)
            throw new SbvaeException($"'{sd.Source}' records the {recorded} likelihood but {TrainingOptions.Likelihood.Flag} {given} was given");
        return model with { Likelihood = recorded };
    }

    public static ImportResult Import(string weightFile, string outDir, ImportOptions options)
    {
        if (File.Exists(Path.Combine(outDir, "checkpoint.safetensors")))
            throw new SbvaeException($"'{outDir}' already holds a run; choose another --out");
        var sd = WeightFile.Read(weightFile);
        var config = options.Apply(new RunConfig(ReferenceLayout.Infer(sd, options), new TrainConfig()));
        config = config with { Model = RecordedLikelihood(sd, config.Model, options) };
        config.Model.Validate();
        config.Model.CheckHyperparameters();
        var modelConfig = config.Model;

        using var model = new Vae(modelConfig);
        var notes = ReferenceLayout.LoadInto(sd, model);
        Checkpoint.RequireFinite(model, $"'{weightFile}'");
        if (sd.Metadata.TryGetValue(Exporter.ObjectiveKey, out var objective) && objective != modelConfig.Objective)
            notes.Add($"the weights were trained with the {objective} objective; the imported run resumes training as {modelConfig.Objective}");
        // Adam's moments start at zero, exactly as a new run's: resuming trains from these weights.
        using var optimizer = torch.optim.Adam(model.parameters(), lr: config.Train.LearningRate);

        var run = RunFolder.Create(outDir);
        run.WriteConfig(config);
        run.WriteLosses([]);
        Checkpoint.Save(run.CheckpointPath, model, optimizer, config, new TrainingState());
        AtomicFile.WriteAllText(Path.Combine(run.Dir, ProvenanceFile), JsonSerializer.Serialize(new
        {
            source = Path.GetFullPath(weightFile),
            sha256 = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(weightFile))).ToLowerInvariant(),
            tensors = sd.Tensors.Count,
            notes,
        }, RunConfig.Json) + "\n");
        return new ImportResult(run, modelConfig, notes);
    }
}
