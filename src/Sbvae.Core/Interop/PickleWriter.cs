using System.Buffers.Binary;
using System.Text;

namespace Sbvae.Interop;

/// <summary>
/// Emits protocol-2 pickle opcodes, choosing the same encodings as CPython's pickler (BININT1/2/BININT,
/// LONG1 beyond 32 bits, TUPLE1-3 for short tuples). Only what a state_dict needs; no memo.
/// </summary>
public sealed class PickleWriter
{
    readonly MemoryStream buffer = new();

    public PickleWriter Proto(byte version = 2) => Op(PickleOp.Proto).Byte(version);
    public PickleWriter Stop() => Op(PickleOp.Stop);
    public PickleWriter Mark() => Op(PickleOp.Mark);
    public PickleWriter Op(byte opcode) { buffer.WriteByte(opcode); return this; }

    public PickleWriter Global(string module, string name)
    {
        Op(PickleOp.Global);
        buffer.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    public PickleWriter String(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        Op(PickleOp.BinUnicode);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)utf8.Length);
        buffer.Write(len);
        buffer.Write(utf8);
        return this;
    }

    public PickleWriter Int(long value)
    {
        if (value is >= 0 and < 256) return Op(PickleOp.BinInt1).Byte((byte)value);
        if (value is >= 0 and < 65536)
        {
            Op(PickleOp.BinInt2);
            Span<byte> b2 = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b2, (ushort)value);
            buffer.Write(b2);
            return this;
        }
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Op(PickleOp.BinInt);
            Span<byte> b4 = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b4, (int)value);
            buffer.Write(b4);
            return this;
        }
        // LONG1: little-endian two's complement, as few bytes as keep the sign
        Span<byte> b8 = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b8, value);
        int n = 8;
        while (n > 1 && ((b8[n - 1] == 0 && (b8[n - 2] & 0x80) == 0) || (b8[n - 1] == 0xFF && (b8[n - 2] & 0x80) != 0))) n--;
        Op(PickleOp.Long1).Byte((byte)n);
        buffer.Write(b8[..n]);
        return this;
    }

    public PickleWriter Bool(bool value) => Op(value ? PickleOp.NewTrue : PickleOp.NewFalse);

    /// <summary>A tuple of ints, encoded as CPython does for its length.</summary>
    public PickleWriter IntTuple(IReadOnlyList<long> values)
    {
        if (values.Count == 0) return Op(PickleOp.EmptyTuple);
        if (values.Count > 3) Mark();
        foreach (long v in values) Int(v);
        return Op(values.Count switch { 1 => PickleOp.Tuple1, 2 => PickleOp.Tuple2, 3 => PickleOp.Tuple3, _ => PickleOp.Tuple });
    }

    public PickleWriter Bytes(ReadOnlySpan<byte> raw) { buffer.Write(raw); return this; }

    PickleWriter Byte(byte b) { buffer.WriteByte(b); return this; }

    public byte[] ToArray() => buffer.ToArray();
}
