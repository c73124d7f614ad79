using Sbvae.Models;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Interop;

/// <summary>
/// The reference PyTorch state_dict layout (SPEC §8) and its mapping onto <see cref="Vae"/>, whose
/// own state_dict uses the same names: infers k, the image size and the decoder from the shapes,
/// checks every name and shape, and copies the values.
/// </summary>
public static class ReferenceLayout
{
    public const string MuWeight = "encoder.fc_mu.0.weight";
    public const string DenseWeight = "encoder.encoder_conv.9.weight";
    public const string XGrid = "decoder.x_grid";
    public const string YGrid = "decoder.y_grid";

    /// <summary>The model configuration the weights describe, checked against what the user said; the rest at its defaults.</summary>
    public static ModelConfig Infer(StateDict sd, ImportOptions options)
    {
        string file = sd.Source;
        bool convs = sd.Tensors.Any(t => t.Name.StartsWith("decoder.decoder_convs.", StringComparison.Ordinal));
        bool deconv = sd.Tensors.Any(t => t.Name.StartsWith("decoder.decoder_deconv.", StringComparison.Ordinal)
                                          || t.Name.StartsWith("decoder.decoder_upsampling.", StringComparison.Ordinal));
        if (convs && deconv) throw new SbvaeException($"'{file}' holds weights of both decoders (decoder_convs and decoder_deconv)");
        if (!convs && !deconv) throw new SbvaeException($"'{file}' has no decoder weights in the reference layout (decoder.decoder_convs.* or decoder.decoder_deconv.*)");
        var kind = convs ? DecoderKind.Sbd : DecoderKind.Deconv;
        if (options.Decoder is { } said && said != kind)
            throw new SbvaeException($"'{file}' holds a {ModelConfig.Name(kind)} decoder ({(convs ? "decoder.decoder_convs.*" : "decoder.decoder_deconv.*")}) but --decoder {ModelConfig.Name(said)} was given");

        var mu = Require(sd, MuWeight);
        if (mu.Shape is not [var k, 256] || k < 1)
            throw new SbvaeException($"'{file}': '{MuWeight}' is {StateTensor.Describe(mu.Shape)}, expected [k,256]");
        if (options.TryGet(TrainingOptions.Latent, out int latent) && latent != k)
            throw new SbvaeException($"'{file}' has {k} latents ('{MuWeight}' is {StateTensor.Describe(mu.Shape)}) but {TrainingOptions.Latent.Flag} {latent} was given");

        var dense = Require(sd, DenseWeight);
        long features = dense.Shape is [256, var f] ? f : -1;
        long side = features > 0 && features % 64 == 0 ? (long)Math.Round(Math.Sqrt(features / 64)) : -1;
        if (side < 1 || side * side * 64 != features)
            throw new SbvaeException($"'{file}': '{DenseWeight}' is {StateTensor.Describe(dense.Shape)}, expected [256, 64·(S/16)²] for an S-pixel image");
        int imageSize = checked((int)(side * 16));

        bool? saidUnpadded = options.TryGet(TrainingOptions.Unpadded, out bool given) ? given : null;
        bool unpadded = InferUnpadded(sd, kind, imageSize, saidUnpadded);
        var config = new ModelConfig { Decoder = kind, Latent = (int)k, ImageSize = imageSize, Unpadded = unpadded };
        config.Validate();
        return config;
    }

    /// <summary>The coordinate grids are image-sized for the padded decoder and 6 pixels larger for the unpadded one.</summary>
    static bool InferUnpadded(StateDict sd, DecoderKind kind, int imageSize, bool? said)
    {
        if (kind != DecoderKind.Sbd)
        {
            if (said == true) throw new SbvaeException("--unpadded applies only to the spatial broadcast decoder");
            return false;
        }
        if (sd.Find(XGrid) is not { } grid) return said ?? false;
        bool? inferred = grid.Shape switch
        {
            [1, 1, var g, var h] when g == h && g == imageSize => false,
            [1, 1, var g, var h] when g == h && g == imageSize + 6 => true,
            _ => null,
        };
        if (inferred is null)
            throw new SbvaeException($"'{sd.Source}': '{XGrid}' is {StateTensor.Describe(grid.Shape)}, expected [1,1,{imageSize},{imageSize}] for {imageSize}-pixel images");
        if (said is { } s && s != inferred)
            throw new SbvaeException($"'{sd.Source}' is a {(inferred.Value ? "unpadded" : "padded")} spatial broadcast decoder (its grid is {StateTensor.Describe(grid.Shape)}) but --unpadded was {(s ? "given" : "not given")}");
        return inferred.Value;
    }

    /// <summary>
    /// Copies the file's tensors into <paramref name="model"/> after checking that the names and shapes
    /// match exactly (as load_state_dict(strict=True)). Returns notes worth telling the user.
    /// </summary>
    public static List<string> LoadInto(StateDict sd, Vae model)
    {
        var notes = new List<string>();
        var target = model.state_dict();
        foreach (var t in sd.Tensors)
            if (!target.ContainsKey(t.Name))
                throw new SbvaeException($"'{sd.Source}' has a tensor '{t.Name}' that is not part of the reference {ModelConfig.Name(model.Config.Decoder)} layout");
        foreach (var (name, param) in target)
        {
            var t = sd.Find(name);
            if (t is null)
            {
                if (name is XGrid or YGrid) { notes.Add($"'{name}' is missing; using the standard linspace(-1, 1) grid"); continue; }
                throw new SbvaeException($"'{sd.Source}' has no '{name}' (needed by the reference {ModelConfig.Name(model.Config.Decoder)} layout)");
            }
            if (!t.Shape.SequenceEqual(param.shape))
                throw new SbvaeException($"'{sd.Source}': '{name}' is {StateTensor.Describe(t.Shape)}, the model needs {StateTensor.Describe(param.shape)}");
        }
        using var noGrad = no_grad();
        foreach (var (name, param) in target)
        {
            if (sd.Find(name) is not { } t) continue;
            float[] values = t.ReadFloats();
            if (name is XGrid or YGrid && MaxDifference(values, param) is var diff and > 1e-6f)
                notes.Add($"'{name}' differs from the standard linspace(-1, 1) grid by up to {diff:G3}; using the file's values");
            using var src = tensor(values, t.Shape);
            param.copy_(src);
        }
        return notes;
    }

    /// <summary>The model's tensors in state_dict order, as contiguous float32 arrays.</summary>
    public static List<(string Name, float[] Values, long[] Shape)> FromModel(Vae model)
    {
        var result = new List<(string, float[], long[])>();
        foreach (var (name, t) in model.state_dict())
        {
            using var cpu = t.detach().to(ScalarType.Float32).cpu().contiguous();
            result.Add((name, cpu.data<float>().ToArray(), cpu.shape));
        }
        return result;
    }

    static StateTensor Require(StateDict sd, string name) =>
        sd.Find(name) ?? throw new SbvaeException($"'{sd.Source}' has no '{name}' (not a state_dict in the reference layout?)");

    static float MaxDifference(float[] values, Tensor current)
    {
        using var cpu = current.detach().to(ScalarType.Float32).cpu().contiguous();
        var mine = cpu.data<float>();
        float max = 0;
        for (int i = 0; i < values.Length; i++) max = Math.Max(max, Math.Abs(values[i] - mine[i]));
        return max;
    }
}
