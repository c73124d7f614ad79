using System.Text.Json;
using Sbvae.Models;
using Sbvae.Objectives;
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
    public long DiscriminatorAdamStep { get; init; }

    /// <param name="critic">FactorVAE's discriminator and its optimizer, saved beside the model ("discriminator.", "discriminator_optimizer.").</param>
    public static void Save(string path, Vae model, Adam? optimizer, RunConfig config, TrainingState state, FactorVaeCritic? critic = null)
    {
        var tensors = new List<(string, RawTensor)>();
        foreach (var (name, t) in model.state_dict()) tensors.Add(("model." + name, ToRaw(t)));
        long adamStep = optimizer is null ? 0 : AddMoments(tensors, "optimizer", optimizer);
        long? discriminatorStep = null;
        if (critic is not null)
        {
            foreach (var (name, t) in critic.Discriminator.state_dict()) tensors.Add(("discriminator." + name, ToRaw(t)));
            discriminatorStep = AddMoments(tensors, "discriminator_optimizer", critic.Optimizer);
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
        if (discriminatorStep is { } d) metadata["discriminator_adam_step"] = d.ToString();
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Adds Adam's moments as prefix.i.exp_avg / exp_avg_sq; returns its step.</summary>
    static long AddMoments(List<(string, RawTensor)> tensors, string prefix, Adam optimizer)
    {
        long step = 0;
        var moments = optimizer.state_dict().State;
        for (int i = 0; i < moments.Count; i++)
        {
            var s = (Adam.State)moments[i];
            tensors.Add(($"{prefix}.{i}.exp_avg", ToRaw(s.exp_avg)));
            tensors.Add(($"{prefix}.{i}.exp_avg_sq", ToRaw(s.exp_avg_sq)));
            step = s.step;
        }
        return step;
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
        long discriminatorStep = 0;
        if (meta.TryGetValue("discriminator_adam_step", out var d) && (!long.TryParse(d, out discriminatorStep) || discriminatorStep < 0))
            throw new SbvaeException($"'{file}' has an unreadable discriminator optimizer step");
        return new Checkpoint { Config = config, State = state, Tensors = tensors, AdamStep = adamStep, DiscriminatorAdamStep = discriminatorStep };
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
        RequireFinite(model, "the checkpoint");
    }

    /// <summary>
    /// Refuses weights holding NaN or ±∞ (a diverged run saved by other software, or an edited file): every
    /// code, image and score computed from them would be NaN.
    /// </summary>
    public static void RequireFinite(Vae model, string what)
    {
        using var noGrad = no_grad();
        foreach (var (name, t) in model.state_dict())
        {
            long bad = t.isfinite().logical_not().sum().item<long>();
            if (bad > 0) throw new SbvaeException($"{what} holds {bad} NaN or infinite values in '{name}': the model cannot be used");
        }
    }

    /// <summary>Restores Adam's moments and step so that training continues exactly.</summary>
    public void LoadInto(Adam optimizer) => LoadMoments(optimizer, "optimizer", AdamStep);

    /// <summary>Restores FactorVAE's discriminator and its optimizer.</summary>
    public void LoadInto(FactorVaeCritic critic)
    {
        using (var noGrad = no_grad())
        {
            foreach (var (name, t) in critic.Discriminator.state_dict())
            {
                if (!Tensors.TryGetValue("discriminator." + name, out var raw) || !raw.Shape.SequenceEqual(t.shape))
                    throw new SbvaeException($"checkpoint has no discriminator '{name}' of shape [{string.Join(",", t.shape)}]");
                Copy(raw, t);
            }
        }
        LoadMoments(critic.Optimizer, "discriminator_optimizer", DiscriminatorAdamStep);
    }

    void LoadMoments(Adam optimizer, string prefix, long step)
    {
        var moments = optimizer.state_dict().State;
        using var noGrad = no_grad();
        for (int i = 0; i < moments.Count; i++)
        {
            var s = (Adam.State)moments[i];
            if (!Tensors.TryGetValue($"{prefix}.{i}.exp_avg", out var m) || !Tensors.TryGetValue($"{prefix}.{i}.exp_avg_sq", out var v))
                throw new SbvaeException($"checkpoint has no {prefix.Replace('_', ' ')} state for this model");
            if (!m.Shape.SequenceEqual(s.exp_avg.shape) || !v.Shape.SequenceEqual(s.exp_avg_sq.shape))
                throw new SbvaeException($"checkpoint {prefix.Replace('_', ' ')} state does not match the model");
            Copy(m, s.exp_avg);
            Copy(v, s.exp_avg_sq);
            s.step = step;
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
