using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sbvae.Checkpoints;

/// <summary>One named tensor as raw little-endian bytes, as the safetensors format stores it.</summary>
public sealed record RawTensor(string DType, long[] Shape, byte[] Data)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public static RawTensor FromFloats(float[] values, long[] shape)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return new RawTensor("F32", shape, bytes);
    }

    public float[] ToFloats()
    {
        if (DType != "F32") throw new SbvaeException($"expected a float32 tensor, found {DType}");
        var values = new float[Data.Length / 4];
        Buffer.BlockCopy(Data, 0, values, 0, Data.Length);
        return values;
    }
}

/// <summary>
/// Reader and writer for the safetensors format (8-byte little-endian header length, a JSON
/// header of name → {dtype, shape, data_offsets} plus optional "__metadata__" strings, then
/// the data). It holds tensors only, so loading a file cannot run code. The reader checks
/// every length and offset against the file before it allocates, so a truncated or hostile
/// file fails with a one-line message instead of a crash or a huge allocation.
/// </summary>
public static class SafeTensors
{
    const long MaxHeader = 100L << 20;

    static readonly Dictionary<string, int> ElementSize = new()
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4,
        ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    public static void Write(string path, IReadOnlyList<(string Name, RawTensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, padded);
            s.Write(len);
            s.Write(json);
            for (int i = json.Length; i < padded; i++) s.WriteByte((byte)' ');
            foreach (var (_, t) in tensors) s.Write(t.Data);
        });
    }

    public static (Dictionary<string, RawTensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new SbvaeException($"file not found: {path}");
        byte[] all;
        try { all = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SbvaeException($"cannot read '{path}': {e.Message}");
        }
        if (all.Length < 8) throw Bad(name, "too short to be a safetensors file");
        long headerLen = BinaryPrimitives.ReadInt64LittleEndian(all);
        if (headerLen < 2 || headerLen > MaxHeader || 8 + headerLen > all.Length)
            throw Bad(name, "header length is out of range (truncated or not a safetensors file)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(all, 8, (int)headerLen))?.AsObject()
                ?? throw Bad(name, "header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw Bad(name, "header is not valid JSON");
        }
        long dataStart = 8 + headerLen, dataLen = all.Length - dataStart;
        var tensors = new Dictionary<string, RawTensor>();
        var metadata = new Dictionary<string, string>();
        var spans = new List<(long Begin, long End)>();
        foreach (var (key, node) in header)
        {
            try
            {
                if (key == "__metadata__")
                {
                    foreach (var (mk, mv) in node!.AsObject()) metadata[mk] = mv!.GetValue<string>();
                    continue;
                }
                var o = node!.AsObject();
                string dtype = o["dtype"]!.GetValue<string>();
                if (!ElementSize.TryGetValue(dtype, out int size)) throw Bad(name, $"tensor '{key}' has unknown dtype {dtype}");
                long[] shape = o["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
                var offs = o["data_offsets"]!.AsArray();
                long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
                if (shape.Any(d => d < 0) || shape.Length > 8) throw Bad(name, $"tensor '{key}' has an invalid shape");
                if (begin < 0 || end < begin || end > dataLen) throw Bad(name, $"tensor '{key}' lies outside the file (truncated?)");
                long elements = 1;
                foreach (long d in shape) elements = checked(elements * d);
                if (checked(elements * size) != end - begin) throw Bad(name, $"tensor '{key}' size does not match its shape");
                spans.Add((begin, end));
                tensors[key] = new RawTensor(dtype, shape, all.AsSpan((int)(dataStart + begin), (int)(end - begin)).ToArray());
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException
                                          or OverflowException or ArgumentException or IndexOutOfRangeException)
            {
                throw Bad(name, $"entry '{key}' is malformed");
            }
        }
        spans.Sort();
        for (int i = 1; i < spans.Count; i++)
            if (spans[i].Begin < spans[i - 1].End) throw Bad(name, "tensors overlap");
        return (tensors, metadata);
    }

    /// <summary>The bytes the tensors occupy, in name order, for a checksum that ignores header layout.</summary>
    public static byte[] Sha256(IEnumerable<(string Name, RawTensor Tensor)> tensors)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (n, t) in tensors.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(n));
            sha.AppendData(Encoding.UTF8.GetBytes(t.DType + string.Join(",", t.Shape)));
            sha.AppendData(t.Data);
        }
        return sha.GetHashAndReset();
    }

    static SbvaeException Bad(string file, string what) => new($"'{file}' is not a valid safetensors file: {what}");
}
