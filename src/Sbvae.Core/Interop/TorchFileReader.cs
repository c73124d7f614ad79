using System.IO.Compression;
using System.Text;

namespace Sbvae.Interop;

/// <summary>
/// Reads a state_dict saved by <c>torch.save</c> (the zip format of PyTorch ≥ 1.6: <c>NAME/data.pkl</c>,
/// <c>NAME/data/KEY</c> storages, <c>NAME/version</c>, <c>NAME/byteorder</c>) without running any code:
/// the pickle goes through <see cref="RestrictedUnpickler"/>, each storage size is checked against its
/// record and each view against its storage before anything is decoded. Zero strides are honoured.
/// </summary>
public static class TorchFileReader
{
    const long MaxPickleBytes = 64L << 20;
    /// <summary>Deflate cannot expand data more than ~1032×; a record claiming more is lying.</summary>
    const long MaxExpansion = 1100;

    public static StateDict Read(string path)
    {
        string file = Path.GetFileName(path);
        byte[] all = ReadAll(path);
        if (all.Length >= 2 && all[0] == PickleOp.Proto)
            throw new SbvaeException($"'{file}' uses the legacy torch.save format (before PyTorch 1.6); load it in PyTorch and save it again with torch.save (or as .safetensors)");
        if (all.Length < 4 || all[0] != 'P' || all[1] != 'K' || all[2] != 3 || all[3] != 4)
            throw Bad(file, "it is not a zip archive (torch.save output) nor a safetensors file");
        try
        {
            using var zip = new ZipArchive(new MemoryStream(all, writable: false), ZipArchiveMode.Read);
            return ReadArchive(zip, file, all.Length);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw Bad(file, $"the zip archive is damaged or truncated ({e.Message.Split('\n')[0].TrimEnd('.')})");
        }
    }

    static StateDict ReadArchive(ZipArchive zip, string file, long fileLength)
    {
        var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - 9)
            ?? throw (zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal))
                ? new SbvaeException($"'{file}' is a TorchScript archive (torch.jit.save); save the model's state_dict with torch.save instead")
                : Bad(file, "it has no data.pkl record"));
        string prefix = pkl.FullName[..^"data.pkl".Length];
        bool bigEndian = false;
        if (zip.GetEntry(prefix + "byteorder") is { } order)
        {
            string text = Encoding.ASCII.GetString(Record(order, 16, file, fileLength)).Trim();
            bigEndian = text switch
            {
                "little" => false,
                "big" => true,
                _ => throw Bad(file, $"unknown byte order '{text}'"),
            };
        }
        object? root = RestrictedUnpickler.Load(Record(pkl, MaxPickleBytes, file, fileLength), file);
        var dict = FindStateDict(root) ?? throw Bad(file, "it holds no dictionary of tensors");

        var storages = new Dictionary<string, float[]>();
        var tensors = new List<StateTensor>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) throw Bad(file, "a state_dict key is not a string");
            if (value is not TensorRef t) throw Bad(file, $"'{name}' is not a tensor");
            Exception BadTensor(string what) => Bad(file, $"tensor '{name}': {what}");
            StridedView.Check(t.Storage.Numel, t.Offset, t.Shape, t.Stride, BadTensor);
            if (!storages.TryGetValue(t.Storage.Key, out var values))
            {
                var entry = zip.GetEntry($"{prefix}data/{t.Storage.Key}") ?? throw BadTensor($"its storage record data/{t.Storage.Key} is missing");
                long bytes = checked(t.Storage.Numel * t.Storage.DType.Size);
                if (entry.Length != bytes)
                    throw BadTensor($"its storage record holds {entry.Length} bytes, the pickle declares {bytes} (truncated or mismatched)");
                values = storages[t.Storage.Key] = t.Storage.DType.ToFloats(Record(entry, bytes, file, fileLength), bigEndian);
            }
            float[] storage = values;
            tensors.Add(new StateTensor(name, t.Shape, t.Storage.DType.SafeTensorsName,
                () => StridedView.Gather(storage, t.Offset, t.Shape, t.Stride)));
        }
        return new StateDict(file, tensors);
    }

    /// <summary>The state_dict itself, or one nested under a usual checkpoint key ({"state_dict": ...}).</summary>
    static PyDict? FindStateDict(object? root)
    {
        if (root is not PyDict dict) return null;
        if (dict.Items.All(p => p.Value is TensorRef)) return dict;
        foreach (string key in new[] { "state_dict", "model_state_dict", "model" })
            if (dict.Get(key) is PyDict inner && inner.Items.All(p => p.Value is TensorRef)) return inner;
        return null;
    }

    /// <summary>A record's bytes, refusing sizes beyond <paramref name="limit"/> or beyond what the file can hold.</summary>
    static byte[] Record(ZipArchiveEntry entry, long limit, string file, long fileLength)
    {
        if (entry.Length > limit) throw Bad(file, $"record {entry.FullName} is larger than expected");
        if (entry.CompressedLength > fileLength || entry.Length > Math.Max(entry.CompressedLength, 1) * MaxExpansion)
            throw Bad(file, $"record {entry.FullName} declares an impossible size");
        var bytes = new byte[entry.Length];
        using var s = entry.Open();
        try { s.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw Bad(file, $"record {entry.FullName} is truncated"); }
        if (s.ReadByte() != -1) throw Bad(file, $"record {entry.FullName} is longer than declared");
        // .NET does not check the CRC of stored records; PyTorch's reader does, and so must we
        if (Crc32.Compute(bytes) != entry.Crc32) throw Bad(file, $"record {entry.FullName} fails its CRC check (the file is damaged)");
        return bytes;
    }

    static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new SbvaeException($"file not found: {path}");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot read '{path}': {e.Message}");
        }
    }

    static SbvaeException Bad(string file, string what) => new($"'{file}' is not a valid PyTorch state_dict: {what}");
}
