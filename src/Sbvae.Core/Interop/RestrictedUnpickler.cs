using System.Buffers.Binary;
using System.Text;

namespace Sbvae.Interop;

/// <summary>
/// A pickle reader that only understands what torch.save writes for a state_dict: dicts, tuples,
/// lists, strings, numbers, persistent storage ids and a fixed allow-list of callables
/// (OrderedDict, torch's tensor rebuild functions, torch storage types). It never imports or
/// calls anything: an allowed callable becomes plain data (<see cref="TensorRef"/>, <see cref="PyDict"/>);
/// any other global or opcode fails with a one-line <see cref="SbvaeException"/>.
/// </summary>
public sealed class RestrictedUnpickler
{
    static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    static readonly HashSet<string> AllowedGlobals =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch.UntypedStorage", "torch.storage.UntypedStorage",
        .. TorchDType.All.Select(d => "torch." + d.StorageName),
    ];

    readonly byte[] data;
    readonly string file;
    readonly List<object?> stack = [];
    readonly List<int> marks = [];
    readonly Dictionary<long, object?> memo = [];
    readonly Dictionary<string, StorageRef> storages = [];
    int pos;

    RestrictedUnpickler(byte[] data, string file)
    {
        this.data = data;
        this.file = file;
    }

    /// <summary>Runs the pickle in <paramref name="data"/> and returns its top-level object.</summary>
    public static object? Load(byte[] data, string file) => new RestrictedUnpickler(data, file).Run();

    object? Run()
    {
        while (true)
        {
            byte op = Byte();
            switch (op)
            {
                case PickleOp.Proto:
                    if (Byte() > 5) throw Bad("unknown pickle protocol");
                    break;
                case PickleOp.Frame: Take(8); break; // framing is only a read-ahead hint
                case PickleOp.Stop:
                    if (stack.Count != 1 || marks.Count != 0) throw Bad("pickle ends with an unbalanced stack");
                    return stack[0];
                case PickleOp.Mark: marks.Add(stack.Count); break;
                case PickleOp.None: Push(null); break;
                case PickleOp.NewTrue: Push(true); break;
                case PickleOp.NewFalse: Push(false); break;
                case PickleOp.BinInt1: Push((long)Byte()); break;
                case PickleOp.BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case PickleOp.BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case PickleOp.Long1: Push(Long1()); break;
                case PickleOp.BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                case PickleOp.BinUnicode: Push(Utf8(Take(checked((int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), int.MaxValue))))); break;
                case PickleOp.ShortBinUnicode: Push(Utf8(Take(Byte()))); break;
                case PickleOp.EmptyTuple: Push(new PyTuple([])); break;
                case PickleOp.Tuple1: Push(new PyTuple(PopN(1))); break;
                case PickleOp.Tuple2: Push(new PyTuple(PopN(2))); break;
                case PickleOp.Tuple3: Push(new PyTuple(PopN(3))); break;
                case PickleOp.Tuple: Push(new PyTuple(PopMark())); break;
                case PickleOp.EmptyList: Push(new List<object?>()); break;
                case PickleOp.EmptyDict: Push(new PyDict()); break;
                case PickleOp.Append: { var v = Pop(); ListOnTop().Add(v); break; }
                case PickleOp.Appends: { var items = PopMark(); ListOnTop().AddRange(items); break; }
                case PickleOp.SetItem: { var v = Pop(); var k = Pop(); DictOnTop().Set(k, v); break; }
                case PickleOp.SetItems:
                {
                    var items = PopMark();
                    if (items.Length % 2 != 0) throw Bad("SETITEMS with an odd number of items");
                    var dict = DictOnTop();
                    for (int i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
                    break;
                }
                case PickleOp.BinPut: memo[Byte()] = Peek(); break;
                case PickleOp.LongBinPut: memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break;
                case PickleOp.Memoize: memo[memo.Count] = Peek(); break;
                case PickleOp.BinGet: Push(Memo(Byte())); break;
                case PickleOp.LongBinGet: Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                case PickleOp.Global: Push(Allowed(Line(), Line())); break;
                case PickleOp.StackGlobal:
                {
                    string name = Pop() as string ?? throw Bad("STACK_GLOBAL without a name"), module = Pop() as string ?? throw Bad("STACK_GLOBAL without a module");
                    Push(Allowed(module, name));
                    break;
                }
                case PickleOp.BinPersId: Push(PersistentLoad(Pop())); break;
                case PickleOp.Reduce: { var args = Pop(); var func = Pop(); Push(Call(func, args)); break; }
                case PickleOp.Build:
                {
                    Pop(); // the state: OrderedDict._metadata or a tensor's __dict__, neither needed for the weights
                    if (Peek() is not (PyDict or TensorRef)) throw Bad("BUILD on an object other than a dict or tensor");
                    break;
                }
                default:
                    throw new SbvaeException($"refusing to load '{file}': its pickle uses opcode 0x{op:x2} ('{(op is >= 32 and < 127 ? (char)op : '?')}'), which a state_dict never needs");
            }
        }
    }

    PyGlobal Allowed(string module, string name)
    {
        var g = new PyGlobal(module, name);
        if (!AllowedGlobals.Contains(g.ToString()))
            throw new SbvaeException($"refusing to load '{file}': its pickle calls {g}, which a state_dict never needs (only tensors and dictionaries are allowed)");
        return g;
    }

    object? Call(object? func, object? args)
    {
        if (func is not PyGlobal g) throw Bad("REDUCE on something that is not a callable");
        if (args is not PyTuple { Items: var a }) throw Bad($"{g} called without an argument tuple");
        switch (g.ToString())
        {
            case "collections.OrderedDict":
                if (a.Length != 0) throw Bad("OrderedDict called with arguments");
                return new PyDict();
            case "torch._utils._rebuild_tensor_v2":
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.Length is < 4 or > 7 || a[0] is not StorageRef storage) throw Bad("_rebuild_tensor_v2 with unexpected arguments");
                long offset = a[1] as long? ?? throw Bad("tensor storage offset is not an integer");
                long[] shape = Ints(a[2], "size"), stride = Ints(a[3], "stride");
                if (shape.Length != stride.Length) throw Bad("tensor size and stride differ in length");
                return new TensorRef(storage, offset, shape, stride);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (a.Length < 1 || a[0] is not TensorRef t) throw Bad($"{g} without a tensor");
                return t;
            default:
                throw new SbvaeException($"refusing to load '{file}': its pickle calls {g} directly");
        }
    }

    /// <summary>torch.save's persistent id for a storage: ("storage", storage type, key, location, numel).</summary>
    StorageRef PersistentLoad(object? pid)
    {
        if (pid is not PyTuple { Items: ["storage", PyGlobal type, string key, string location, long numel] })
            throw Bad("a persistent id that is not a torch storage");
        var dtype = TorchDType.FromStorageName(type.Name) ?? throw Bad($"unsupported storage type {type}");
        if (numel < 0) throw Bad($"storage '{key}' has a negative size");
        if (storages.TryGetValue(key, out var seen))
        {
            if (seen.DType != dtype || seen.Numel != numel) throw Bad($"storage '{key}' is declared twice with different types or sizes");
            return seen;
        }
        return storages[key] = new StorageRef(key, dtype, numel, location);
    }

    long[] Ints(object? value, string what)
    {
        if (value is not PyTuple { Items: var items } || items.Length > 16) throw Bad($"tensor {what} is not a short tuple");
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
            result[i] = items[i] as long? ?? throw Bad($"tensor {what} holds a non-integer");
        return result;
    }

    long Long1()
    {
        int n = Byte();
        if (n > 8) throw Bad("integer wider than 64 bits");
        if (n == 0) return 0;
        var bytes = Take(n);
        long v = (sbyte)bytes[n - 1]; // sign-extend from the top byte
        for (int i = n - 2; i >= 0; i--) v = (v << 8) | bytes[i];
        return v;
    }

    string Line()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos, Math.Min(256, data.Length - pos));
        if (end < 0) throw Bad("GLOBAL name is not terminated");
        string s = Encoding.ASCII.GetString(data, pos, end - pos);
        pos = end + 1;
        return s;
    }

    string Utf8(ReadOnlySpan<byte> bytes)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw Bad("a string is not valid UTF-8"); }
    }

    object? Memo(long index) => memo.TryGetValue(index, out var v) ? v : throw Bad("pickle refers to an unknown memo entry");

    List<object?> ListOnTop() => Peek() as List<object?> ?? throw Bad("APPEND to something that is not a list");

    PyDict DictOnTop() => Peek() as PyDict ?? throw Bad("SETITEM on something that is not a dict");

    void Push(object? value) => stack.Add(value);

    object? Peek()
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks[^1] == stack.Count)) throw Bad("pickle stack underflow");
        return stack[^1];
    }

    object? Pop()
    {
        var v = Peek();
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    object?[] PopN(int n)
    {
        int floor = marks.Count > 0 ? marks[^1] : 0;
        if (stack.Count - n < floor) throw Bad("pickle stack underflow");
        var items = stack.GetRange(stack.Count - n, n).ToArray();
        stack.RemoveRange(stack.Count - n, n);
        return items;
    }

    object?[] PopMark()
    {
        if (marks.Count == 0) throw Bad("pickle has no MARK where one is needed");
        int at = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(at, stack.Count - at).ToArray();
        stack.RemoveRange(at, stack.Count - at);
        return items;
    }

    byte Byte()
    {
        if (pos >= data.Length) throw Bad("pickle is truncated");
        return data[pos++];
    }

    ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || n > data.Length - pos) throw Bad("pickle is truncated");
        var span = data.AsSpan(pos, n);
        pos += n;
        return span;
    }

    SbvaeException Bad(string what) => new($"'{file}' is not a valid PyTorch state_dict: {what}");
}
