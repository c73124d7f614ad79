using Sbvae.Checkpoints;

namespace Sbvae.Interop;

/// <summary>Opens a PyTorch weight file, telling torch.save archives and safetensors apart by their first bytes.</summary>
public static class WeightFile
{
    public static StateDict Read(string path)
    {
        if (!File.Exists(path)) throw new SbvaeException($"file not found: {path}");
        var sd = LooksLikeSafeTensors(path) ? ReadSafeTensors(path) : TorchFileReader.Read(path);
        return StripDataParallelPrefix(sd);
    }

    static bool LooksLikeSafeTensors(string path)
    {
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return true;
        Span<byte> head = stackalloc byte[9];
        try
        {
            using var f = File.OpenRead(path);
            return f.ReadAtLeast(head, 9, throwOnEndOfStream: false) == 9 && head[8] == (byte)'{';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot read '{path}': {e.Message}");
        }
    }

    static StateDict ReadSafeTensors(string path)
    {
        string file = Path.GetFileName(path);
        var (tensors, meta) = SafeTensors.Read(path);
        if (meta.GetValueOrDefault("format") == Checkpoint.Format)
            throw new SbvaeException($"'{file}' is already an sbvae checkpoint; use its run folder directly");
        var result = new List<StateTensor>();
        foreach (var (name, raw) in tensors)
        {
            var dtype = TorchDType.FromSafeTensorsName(raw.DType) ?? throw new SbvaeException($"'{file}': tensor '{name}' has unsupported dtype {raw.DType}");
            if (raw.Elements > StridedView.MaxElements) throw new SbvaeException($"'{file}': tensor '{name}' is too large");
            result.Add(new StateTensor(name, raw.Shape, raw.DType, () => dtype.ToFloats(raw.Data)));
        }
        return new StateDict(file, result, meta);
    }

    /// <summary>nn.DataParallel saves every key under "module."; the weights are the same.</summary>
    static StateDict StripDataParallelPrefix(StateDict sd)
    {
        const string prefix = "module.";
        if (sd.Tensors.Count == 0 || !sd.Tensors.All(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))) return sd;
        return new StateDict(sd.Source, sd.Tensors.Select(t => new StateTensor(t.Name[prefix.Length..], t.Shape, t.DType, t.ReadFloats)).ToList(), sd.Metadata);
    }
}
