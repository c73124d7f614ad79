namespace Sbvae.Interop;

/// <summary>
/// One named tensor of a weight file. Its shape is known at once; its values are decoded only when
/// asked, so a caller can reject a wrong shape before anything large is allocated.
/// </summary>
public sealed class StateTensor(string name, long[] shape, string dtype, Func<float[]> read)
{
    public string Name { get; } = name;
    public long[] Shape { get; } = shape;
    /// <summary>The element type in the file (safetensors spelling: F32, F16, BF16, ...).</summary>
    public string DType { get; } = dtype;
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The values as float32, row-major (contiguous), whatever their layout in the file.</summary>
    public float[] ReadFloats() => read();

    public static string Describe(long[] shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>A PyTorch-style state_dict read from a file: names in file order, and a safetensors file's metadata (empty for torch.save).</summary>
public sealed class StateDict(string source, IReadOnlyList<StateTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
{
    public string Source { get; } = source;
    public IReadOnlyList<StateTensor> Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();

    public StateTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);
}
