using System.Text.Json;
using Sbvae.Models;
using Sbvae.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Checkpoints;

/// <summary>
/// A training checkpoint: weights, Adam moments, configuration and training state in one
/// safetensors file (tensors + JSON metadata, so loading runs no code), with a format version
/// and a SHA-256 of the tensors that is checked on load. Written atomically.
/// </summary>
public sealed class Checkpoint
{
    public const string Format = "sbvae-checkpoint";
    public const int Version = 1;

    public required RunConfig Config { get; init; }
    public required TrainingState State { get; init; }
    public required Dictionary<string, RawTensor> Tensors { get; init; }
    public long AdamStep { get; init; }

    public static void Save(string path, Vae model, Adam? optimizer, RunConfig config, TrainingState state)
    {
        var tensors = new List<(string, RawTensor)>();
        foreach (var (name, t) in model.state_dict()) tensors.Add(("model." + name, ToRaw(t)));
        long adamStep = 0;
        if (optimizer is not null)
        {
            var moments = optimizer.state_dict().State;
            for (int i = 0; i < moments.Count; i++)
            {
                var s = (Adam.State)moments[i];
                tensors.Add(($"optimizer.{i}.exp_avg", ToRaw(s.exp_avg)));
                tensors.Add(($"optimizer.{i}.exp_avg_sq", ToRaw(s.exp_avg_sq)));
                adamStep = s.step;
            }
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["version"] = Version.ToString(),
            ["config"] = config.ToJson(),
            ["state"] = JsonSerializer.Serialize(state, RunConfig.Json),
            ["adam_step"] = adamStep.ToString(),
            ["sha256"] = Convert.ToHexString(SafeTensors.Sha256(tensors)),
        };
        SafeTensors.Write(path, tensors, metadata);
    }

    public static Checkpoint Load(string path)
    {
        var (tensors, meta) = SafeTensors.Read(path);
        string file = Path.GetFileName(path);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new SbvaeException($"'{file}' is not an sbvae checkpoint");
        if (meta.GetValueOrDefault("version") != Version.ToString())
            throw new SbvaeException($"'{file}' has checkpoint format version {meta.GetValueOrDefault("version")}, this sbvae reads version {Version}");
        string sum = Convert.ToHexString(SafeTensors.Sha256(tensors.Select(p => (p.Key, p.Value))));
        if (meta.GetValueOrDefault("sha256") != sum)
            throw new SbvaeException($"'{file}' is corrupt: its checksum does not match its contents");
        var config = RunConfig.FromJson(meta.GetValueOrDefault("config") ?? "", file);
        TrainingState state;
        try { state = JsonSerializer.Deserialize<TrainingState>(meta.GetValueOrDefault("state") ?? "", RunConfig.Json) ?? new(); }
        catch (JsonException) { throw new SbvaeException($"'{file}' has an unreadable training state"); }
        if (!long.TryParse(meta.GetValueOrDefault("adam_step"), out long adamStep) || adamStep < 0)
            throw new SbvaeException($"'{file}' has an unreadable optimizer step");
        return new Checkpoint { Config = config, State = state, Tensors = tensors, AdamStep = adamStep };
    }

    /// <summary>Copies the weights into <paramref name="model"/>, checking every name and shape first.</summary>
    public void LoadInto(Vae model)
    {
        var target = model.state_dict();
        foreach (var (name, t) in target)
        {
            if (!Tensors.TryGetValue("model." + name, out var raw))
                throw new SbvaeException($"checkpoint does not match the model: it has no '{name}' (different decoder?)");
            if (!raw.Shape.SequenceEqual(t.shape))
                throw new SbvaeException($"checkpoint does not match the model: '{name}' is [{string.Join(",", raw.Shape)}], the model needs [{string.Join(",", t.shape)}] (different latent size or image size?)");
        }
        using var noGrad = no_grad();
        foreach (var (name, t) in target) Copy(Tensors["model." + name], t);
    }

    /// <summary>Restores Adam's moments and step so that training continues exactly.</summary>
    public void LoadInto(Adam optimizer)
    {
        var moments = optimizer.state_dict().State;
        using var noGrad = no_grad();
        for (int i = 0; i < moments.Count; i++)
        {
            var s = (Adam.State)moments[i];
            if (!Tensors.TryGetValue($"optimizer.{i}.exp_avg", out var m) || !Tensors.TryGetValue($"optimizer.{i}.exp_avg_sq", out var v))
                throw new SbvaeException("checkpoint has no optimizer state for this model");
            if (!m.Shape.SequenceEqual(s.exp_avg.shape) || !v.Shape.SequenceEqual(s.exp_avg_sq.shape))
                throw new SbvaeException("checkpoint optimizer state does not match the model");
            Copy(m, s.exp_avg);
            Copy(v, s.exp_avg_sq);
            s.step = AdamStep;
        }
    }

    static RawTensor ToRaw(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return RawTensor.FromFloats(cpu.data<float>().ToArray(), cpu.shape);
    }

    static void Copy(RawTensor raw, Tensor into)
    {
        using var src = tensor(raw.ToFloats(), raw.Shape);
        into.copy_(src);
    }
}
