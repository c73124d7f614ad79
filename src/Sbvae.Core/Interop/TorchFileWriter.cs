using System.Text;

namespace Sbvae.Interop;

/// <summary>A storage record of a torch.save archive: raw little-endian elements under data/KEY.</summary>
public sealed record TorchStorage(string Key, TorchDType DType, byte[] Data)
{
    public long Numel => Data.Length / DType.Size;

    public static TorchStorage FromFloats(string key, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return new TorchStorage(key, TorchDType.Float32, bytes);
    }
}

/// <summary>One state_dict entry: a (possibly strided, possibly shared) view of a storage.</summary>
public sealed record TorchTensorEntry(string Name, TorchStorage Storage, long Offset, long[] Shape, long[] Stride);

/// <summary>
/// Writes what <c>torch.save(state_dict, f)</c> writes, so that <c>torch.load</c> (also with
/// weights_only=True) and <c>load_state_dict</c> accept it: a zip with records archive/data.pkl
/// (protocol-2 pickle of an OrderedDict of _rebuild_tensor_v2 calls), archive/byteorder,
/// archive/data/KEY and archive/version, stored uncompressed and 64-byte aligned.
/// </summary>
public static class TorchFileWriter
{
    /// <summary>Contiguous float32 tensors, one storage each, written atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<(string Name, float[] Values, long[] Shape)> tensors)
    {
        var entries = tensors.Select((t, i) => new TorchTensorEntry(t.Name, TorchStorage.FromFloats(i.ToString(), t.Values),
            0, t.Shape, StridedView.ContiguousStrides(t.Shape))).ToList();
        AtomicFile.Write(path, s => Write(s, entries));
    }

    public static void Write(Stream output, IReadOnlyList<TorchTensorEntry> entries) =>
        WriteArchive(output, Pickle(entries), entries.Select(e => e.Storage).DistinctBy(s => s.Key));

    /// <summary>The data.pkl bytes: the opcodes CPython's pickler emits for torch.save of an OrderedDict of tensors.</summary>
    public static byte[] Pickle(IReadOnlyList<TorchTensorEntry> entries)
    {
        var p = new PickleWriter().Proto(2)
            .Global("collections", "OrderedDict").Op(PickleOp.EmptyTuple).Op(PickleOp.Reduce);
        if (entries.Count > 1) p.Mark(); // CPython: SETITEM for one item, MARK ... SETITEMS for more
        foreach (var e in entries)
        {
            p.String(e.Name);
            p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
            // persistent id: ("storage", torch.FloatStorage, key, location, numel)
            p.Mark().String("storage").Global("torch", e.Storage.DType.StorageName).String(e.Storage.Key).String("cpu")
                .Int(e.Storage.Numel).Op(PickleOp.Tuple).Op(PickleOp.BinPersId);
            p.Int(e.Offset).IntTuple(e.Shape).IntTuple(e.Stride).Bool(false);
            p.Global("collections", "OrderedDict").Op(PickleOp.EmptyTuple).Op(PickleOp.Reduce); // backward hooks
            p.Op(PickleOp.Tuple).Op(PickleOp.Reduce);
        }
        if (entries.Count > 0) p.Op(entries.Count == 1 ? PickleOp.SetItem : PickleOp.SetItems);
        return p.Stop().ToArray();
    }

    /// <summary>Lays out the records in torch.save's order: data.pkl, byteorder, storages, version.</summary>
    public static void WriteArchive(Stream output, byte[] pickle, IEnumerable<TorchStorage> storages, string archive = "archive")
    {
        var zip = new StoredZipWriter(output);
        zip.Add($"{archive}/data.pkl", pickle);
        zip.Add($"{archive}/byteorder", "little"u8);
        foreach (var s in storages) zip.Add($"{archive}/data/{s.Key}", s.Data);
        zip.Add($"{archive}/version", Encoding.ASCII.GetBytes("3\n"));
        zip.Finish();
    }
}
