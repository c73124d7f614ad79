using Sbvae.Interop;
using static Sbvae.Tests.Interop.InteropTestKit;

namespace Sbvae.Tests.Interop;

/// <summary>Truncated, corrupt, mismatched and malicious weight files: one-line errors, no code run, no huge allocation.</summary>
public class HostileFileTests
{
    static string Dir() => TestData.TempDir("hostile");

    static string WriteArchive(byte[] pickle, params TorchStorage[] storages)
    {
        string path = Path.Combine(Dir(), "w.pt");
        using var f = File.Create(path);
        TorchFileWriter.WriteArchive(f, pickle, storages);
        return path;
    }

    /// <summary>{name: _rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict())} with a chosen declared numel.</summary>
    static byte[] OneTensor(long declaredNumel, long offset, long[] shape, long[] stride) =>
        new PickleWriter().Proto(2).Global("collections", "OrderedDict").Op(PickleOp.EmptyTuple).Op(PickleOp.Reduce)
            .String("w").Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().String("storage").Global("torch", "FloatStorage").String("0").String("cpu").Int(declaredNumel).Op(PickleOp.Tuple).Op(PickleOp.BinPersId)
            .Int(offset).IntTuple(shape).IntTuple(stride).Bool(false).Op(PickleOp.EmptyDict).Op(PickleOp.Tuple).Op(PickleOp.Reduce)
            .Op(PickleOp.SetItem).Stop().ToArray();

    [Fact]
    public void TruncatedArchiveGivesOneLine()
    {
        string path = ReferenceWeights.Create("sbd", 2, 16).SavePt(Path.Combine(Dir(), "ref.pt"));
        byte[] all = File.ReadAllBytes(path);
        foreach (int keep in new[] { 0, 3, 30, 200, all.Length / 2, all.Length - 30, all.Length - 1 })
        {
            File.WriteAllBytes(path, all[..keep]);
            OneLine(() => WeightFile.Read(path));
        }
    }

    [Fact]
    public void FlippedStorageByteFailsTheCrc()
    {
        string path = WriteArchive(OneTensor(4, 0, [4], [1]), TorchStorage.FromFloats("0", [1f, 2f, 3f, 4f]));
        byte[] all = File.ReadAllBytes(path);
        int at = all.AsSpan().IndexOf(BitConverter.GetBytes(3f));
        all[at] ^= 0x01;
        File.WriteAllBytes(path, all);
        Assert.Contains("damaged", OneLine(() => TorchFileReader.Read(path)).Message);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    public void ForbiddenGlobalIsRefusedBeforeAnythingRuns(string module, string name)
    {
        byte[] pkl = new PickleWriter().Proto(2).Global(module, name).String("touch /tmp/pwned").Op(PickleOp.Tuple1).Op(PickleOp.Reduce).Stop().ToArray();
        var e = OneLine(() => TorchFileReader.Read(WriteArchive(pkl)));
        Assert.Contains($"refusing to load", e.Message);
        Assert.Contains($"{module}.{name}", e.Message);
    }

    [Fact]
    public void StackGlobalOfForbiddenNameIsRefusedToo()
    {
        byte[] pkl = new PickleWriter().Proto(4).Op(PickleOp.ShortBinUnicode).Bytes([5, .. "posix"u8])
            .Op(PickleOp.ShortBinUnicode).Bytes([6, .. "system"u8]).Op(PickleOp.StackGlobal).Stop().ToArray();
        Assert.Contains("posix.system", OneLine(() => TorchFileReader.Read(WriteArchive(pkl))).Message);
    }

    [Theory]
    [InlineData((byte)'i')]  // INST: calls a class by name
    [InlineData((byte)'o')]  // OBJ
    [InlineData((byte)0x81)] // NEWOBJ
    [InlineData((byte)'P')]  // PERSID (text form)
    [InlineData((byte)'B')]  // BINBYTES
    public void UnsupportedOpcodeIsRefused(byte op)
    {
        byte[] pkl = new PickleWriter().Proto(2).Op(PickleOp.EmptyTuple).Op(op).Stop().ToArray();
        Assert.Contains("opcode", OneLine(() => TorchFileReader.Read(WriteArchive(pkl))).Message);
    }

    [Fact]
    public void StorageSmallerThanTheViewNeedsIsRefused()
    {
        // 64×64 contiguous needs 4096 elements; the storage declares and holds only 64
        var e = OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(64, 0, [64, 64], [64, 1]), TorchStorage.FromFloats("0", new float[64]))));
        Assert.Contains("storage", e.Message);
        // a zero-stride view past the end by its offset
        OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(64, 1, [64, 64], [1, 0]), TorchStorage.FromFloats("0", new float[64]))));
    }

    [Fact]
    public void DeclaredStorageSizeMustMatchTheRecord()
    {
        var e = OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(1L << 40, 0, [4], [1]), TorchStorage.FromFloats("0", new float[4]))));
        Assert.Contains("bytes", e.Message);
    }

    [Fact]
    public void GiantSizesAreRefusedWithoutAllocating()
    {
        var storage = TorchStorage.FromFloats("0", [1f]);
        // zero strides make any size "fit" one element; the element cap stops it
        OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(1, 0, [1L << 20, 1L << 20], [0, 0]), storage)));
        OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(1, 0, [long.MaxValue, 3], [0, 0]), storage)));
        OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(1, 0, [-1], [1]), storage)));
        OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(1, -1, [1], [1]), storage)));
        OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(1, 0, [2], [long.MaxValue]), storage)));
    }

    [Fact]
    public void HugeStringLengthInPickleIsRefused()
    {
        byte[] pkl = new PickleWriter().Proto(2).Op(PickleOp.BinUnicode).Bytes([0xff, 0xff, 0xff, 0x7f]).Stop().ToArray();
        Assert.Contains("truncated", OneLine(() => TorchFileReader.Read(WriteArchive(pkl))).Message);
    }

    [Fact]
    public void MissingStorageRecordAndNonTensorValuesAreNamed()
    {
        Assert.Contains("missing", OneLine(() => TorchFileReader.Read(WriteArchive(OneTensor(4, 0, [4], [1])))).Message);
        byte[] list = new PickleWriter().Proto(2).Op(PickleOp.EmptyList).Stop().ToArray();
        Assert.Contains("no dictionary of tensors", OneLine(() => TorchFileReader.Read(WriteArchive(list))).Message);
        byte[] unbalanced = new PickleWriter().Proto(2).Op(PickleOp.Mark).Op(PickleOp.SetItems).Stop().ToArray();
        OneLine(() => TorchFileReader.Read(WriteArchive(unbalanced)));
    }

    [Fact]
    public void LegacyAndForeignFilesAreNamed()
    {
        string dir = Dir();
        string legacy = Path.Combine(dir, "old.pt");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        Assert.Contains("legacy", OneLine(() => WeightFile.Read(legacy)).Message);
        string text = Path.Combine(dir, "notes.pt");
        File.WriteAllText(text, "hello, these are not weights");
        Assert.Contains("not a zip", OneLine(() => WeightFile.Read(text)).Message);
        OneLine(() => WeightFile.Read(Path.Combine(dir, "absent.pt")));
        string bad = Path.Combine(dir, "bad.safetensors");
        File.WriteAllBytes(bad, [1, 2, 3]);
        OneLine(() => WeightFile.Read(bad));
    }
}
