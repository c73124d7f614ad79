namespace Sbvae.Interop;

/// <summary>A module-level name the restricted unpickler allows (collections.OrderedDict, torch storages, rebuild functions).</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>An immutable Python tuple.</summary>
public sealed record PyTuple(object?[] Items);

/// <summary>A Python dict (or OrderedDict): keys in insertion order, a later equal key replacing the value.</summary>
public sealed class PyDict
{
    readonly List<object?> keys = [];
    readonly Dictionary<object, object?> values = [];
    static readonly object NullKey = new();

    public IEnumerable<KeyValuePair<object?, object?>> Items =>
        keys.Select(k => new KeyValuePair<object?, object?>(k, values[k ?? NullKey]));

    public int Count => keys.Count;

    public void Set(object? key, object? value)
    {
        if (key is PyDict or List<object?>) throw new SbvaeException("pickle uses an unhashable dictionary key");
        if (!values.ContainsKey(key ?? NullKey)) keys.Add(key);
        values[key ?? NullKey] = value;
    }

    public object? Get(string key) => values.GetValueOrDefault(key);
}

/// <summary>A tensor's storage as named by torch.save's persistent id ("storage", type, key, location, numel).</summary>
public sealed record StorageRef(string Key, TorchDType DType, long Numel, string Location);

/// <summary>What torch._utils._rebuild_tensor_v2 would build: a strided view of a storage.</summary>
public sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride);
