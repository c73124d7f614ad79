using System.IO.Compression;
using System.Text;
using Sbvae.Interop;

namespace Sbvae.Tests.Interop;

/// <summary>The torch.save zip layout: what the writer lays down and what the reader makes of strided views.</summary>
public class TorchFileFormatTests
{
    static StateDict WriteAndRead(IReadOnlyList<TorchTensorEntry> entries)
    {
        string path = Path.Combine(TestData.TempDir("ptfmt"), "w.pt");
        using (var f = File.Create(path)) TorchFileWriter.Write(f, entries);
        return TorchFileReader.Read(path);
    }

    [Fact]
    public void ZeroStrideViewsAreGatheredElementByElement()
    {
        var lin = TorchStorage.FromFloats("0", [10, 20, 30, 40]);
        var sd = WriteAndRead(
        [
            new("rows", lin, 0, [1, 1, 4, 4], [4, 4, 1, 0]),   // meshgrid "ij" x: varies down the rows
            new("cols", lin, 0, [1, 1, 4, 4], [0, 0, 0, 1]),   // y: across the columns
            new("tail", lin, 2, [2, 3], [1, 0]),               // offset into the storage
            new("transposed", TorchStorage.FromFloats("1", [1, 2, 3, 4, 5, 6]), 0, [3, 2], [1, 3]),
        ]);
        Assert.Equal([10f, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30, 40, 40, 40, 40], sd.Find("rows")!.ReadFloats());
        Assert.Equal([10f, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40, 10, 20, 30, 40], sd.Find("cols")!.ReadFloats());
        Assert.Equal([30f, 30, 30, 40, 40, 40], sd.Find("tail")!.ReadFloats());
        Assert.Equal([1f, 4, 2, 5, 3, 6], sd.Find("transposed")!.ReadFloats());
        Assert.Equal([1L, 1, 4, 4], sd.Find("rows")!.Shape);
    }

    [Fact]
    public void HalfBFloat16AndDoubleStoragesAreWidenedToFloat32()
    {
        var half = new byte[4];
        BitConverter.TryWriteBytes(half.AsSpan(0), (Half)1.5f);
        BitConverter.TryWriteBytes(half.AsSpan(2), (Half)(-2f));
        byte[] bf16 = [0x80, 0x3f, 0x40, 0xc0]; // 1.0, -3.0
        var sd = WriteAndRead(
        [
            new("h", new TorchStorage("0", TorchDType.Float16, half), 0, [2], [1]),
            new("b", new TorchStorage("1", TorchDType.BFloat16, bf16), 0, [2], [1]),
            new("d", new TorchStorage("2", TorchDType.Float64, BitConverter.GetBytes(0.25)), 0, [], []),
        ]);
        Assert.Equal([1.5f, -2f], sd.Find("h")!.ReadFloats());
        Assert.Equal([1f, -3f], sd.Find("b")!.ReadFloats());
        Assert.Equal([0.25f], sd.Find("d")!.ReadFloats());
    }

    [Fact]
    public void ArchiveHasTorchSaveRecordsInOrderAlignedTo64Bytes()
    {
        string path = Path.Combine(TestData.TempDir("ptlayout"), "w.pt");
        TorchFileWriter.Save(path, [("a.weight", [1f, 2f, 3f, 4f], [2, 2]), ("a.bias", [5f], [1])]);
        byte[] all = File.ReadAllBytes(path);
        using var zip = new ZipArchive(new MemoryStream(all), ZipArchiveMode.Read);
        Assert.Equal(["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version"],
            zip.Entries.Select(e => e.FullName));
        Assert.Equal("little", Encoding.ASCII.GetString(Bytes(zip, "archive/byteorder")));
        Assert.Equal("3\n", Encoding.ASCII.GetString(Bytes(zip, "archive/version")));
        Assert.Equal([1f, 2f, 3f, 4f], ToFloats(Bytes(zip, "archive/data/0")));
        // every record's data starts at a multiple of 64, as PyTorchStreamWriter aligns it (for mmap loading)
        foreach (var e in zip.Entries)
        {
            int header = IndexOf(all, Encoding.ASCII.GetBytes(e.FullName)) - 30;
            int nameLen = BitConverter.ToUInt16(all, header + 26), extraLen = BitConverter.ToUInt16(all, header + 28);
            Assert.Equal(0, (header + 30 + nameLen + extraLen) % 64);
            Assert.Equal(0, BitConverter.ToUInt16(all, header + 8)); // stored, not deflated
        }
    }

    [Fact]
    public void PickleMatchesCPythonsOpcodesLessTheMemo()
    {
        var storage = TorchStorage.FromFloats("0", [1f, 2f, 3f]);
        byte[] pkl = TorchFileWriter.Pickle([new("w", storage, 0, [3], [1])]);
        // protocol 2; OrderedDict(); 'w' -> _rebuild_tensor_v2(pid('storage', FloatStorage, '0', 'cpu', 3), 0, (3,), (1,), False, OrderedDict())
        string expected =
            "\u0080\u0002ccollections\nOrderedDict\n)R" +
            "X\u0001\0\0\0w" +
            "ctorch._utils\n_rebuild_tensor_v2\n(" +
            "(X\u0007\0\0\0storagectorch\nFloatStorage\nX\u0001\0\0\00X\u0003\0\0\0cpuK\u0003tQ" +
            "K\0K\u0003\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.";
        Assert.Equal(expected.Select(c => (byte)c).ToArray(), pkl);
    }

    [Fact]
    public void SharedStorageIsWrittenOnceAndReadOnce()
    {
        var s = TorchStorage.FromFloats("0", [7f, 8f]);
        string path = Path.Combine(TestData.TempDir("ptshared"), "w.pt");
        using (var f = File.Create(path)) TorchFileWriter.Write(f, [new("a", s, 0, [2], [1]), new("b", s, 1, [3], [0])]);
        using (var zip = ZipFile.OpenRead(path)) Assert.Single(zip.Entries, e => e.FullName.StartsWith("archive/data/"));
        var sd = TorchFileReader.Read(path);
        Assert.Equal([8f, 8f, 8f], sd.Find("b")!.ReadFloats());
    }

    [Fact]
    public void NestedCheckpointDictAndDataParallelPrefixAreUnwrapped()
    {
        var s = TorchStorage.FromFloats("0", [1f]);
        var p = new PickleWriter().Proto(2).Op(PickleOp.EmptyDict)
            .String("epoch").Int(3).Op(PickleOp.SetItem)
            .String("state_dict").Global("collections", "OrderedDict").Op(PickleOp.EmptyTuple).Op(PickleOp.Reduce)
            .String("module.x").Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().String("storage").Global("torch", "FloatStorage").String("0").String("cpu").Int(1).Op(PickleOp.Tuple).Op(PickleOp.BinPersId)
            .Int(0).IntTuple([1]).IntTuple([1]).Bool(true).Op(PickleOp.EmptyDict).Op(PickleOp.Tuple).Op(PickleOp.Reduce)
            .Op(PickleOp.SetItem).Op(PickleOp.SetItem).Stop();
        string path = Path.Combine(TestData.TempDir("ptnested"), "ckpt.pt");
        using (var f = File.Create(path)) TorchFileWriter.WriteArchive(f, p.ToArray(), [s], "my_model");
        var sd = WeightFile.Read(path);
        Assert.Equal("x", Assert.Single(sd.Tensors).Name);
    }

    static byte[] Bytes(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    static float[] ToFloats(byte[] b) => Enumerable.Range(0, b.Length / 4).Select(i => BitConverter.ToSingle(b, i * 4)).ToArray();

    static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
