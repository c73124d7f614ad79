using System.IO.Compression;
using System.Text;
using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class NpyTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    // What np.save(f, np.array([1, 2, 3], dtype='<i4')) writes: magic, version 1.0, header length 118,
    // the dict padded with spaces so the data starts at byte 128, then the data.
    static readonly byte[] NumpyInt32File =
    [
        0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0,
        .. Encoding.ASCII.GetBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }" + new string(' ', 60) + "\n"),
        1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
    ];

    [Fact]
    public void WritesTheSameBytesAsNumpy()
    {
        string path = tmp.File("a.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["a"] = NpyArray.FromInt32s([1, 2, 3]) });
        using var zip = ZipFile.OpenRead(path);
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("a.npy", entry.FullName);
        using var s = entry.Open();
        var bytes = new MemoryStream();
        s.CopyTo(bytes);
        Assert.Equal(NumpyInt32File, bytes.ToArray());
    }

    [Fact]
    public void ReadsAHandBuiltNumpyFile()
    {
        string path = WriteZip(tmp.File("h.npz"), ("x.npy", NumpyInt32File), CompressionLevel.NoCompression);
        var a = Npz.ReadArray(path, "x");
        Assert.Equal("<i4", a.DType);
        Assert.Equal([3], a.Shape);
        Assert.Equal([1L, 2, 3], a.ToInt64s());
    }

    [Fact]
    public void ReadsVersion2HeadersAndBigEndianData()
    {
        // Version 2.0 has a 4-byte header length; '>f8' data must come back little-endian.
        string dict = "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }";
        string header = dict + new string(' ', 64 - (12 + dict.Length + 1) % 64) + "\n";
        byte[] file =
        [
            0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, (byte)header.Length, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(header),
            0x3F, 0xF8, 0, 0, 0, 0, 0, 0, // 1.5
            0xC0, 0x00, 0, 0, 0, 0, 0, 0, // -2.0
        ];
        string path = WriteZip(tmp.File("v2.npz"), ("d.npy", file), CompressionLevel.Optimal);
        var a = Npz.ReadArray(path, "d");
        Assert.Equal("<f8", a.DType);
        Assert.Equal([1.5, -2.0], a.ToDoubles());
    }

    public static TheoryData<string, int, byte[]> EveryDType => new()
    {
        { "|u1", 3, [0, 7, 255] },
        { "|i1", 2, [0x80, 0x7F] },
        { "|b1", 2, [1, 0] },
        { "<i2", 2, [0x00, 0x80, 0xFF, 0x7F] },
        { "<u2", 1, [0xFF, 0xFF] },
        { "<i4", 1, [0xFE, 0xFF, 0xFF, 0xFF] },
        { "<u4", 1, [1, 0, 0, 0x80] },
        { "<i8", 1, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "<u8", 1, [5, 0, 0, 0, 0, 0, 0, 0] },
        { "<f2", 1, [0x00, 0x3C] },
        { "<f4", 1, [0x00, 0x00, 0xC0, 0x3F] },
        { "<f8", 1, [0, 0, 0, 0, 0, 0, 0xF8, 0x3F] },
        { "<U2", 2, [(byte)'h', 0, 0, 0, (byte)'i', 0, 0, 0, (byte)'x', 0, 0, 0, 0, 0, 0, 0] },
        { "|S3", 1, [(byte)'a', (byte)'b', 0] },
    };

    [Theory]
    [MemberData(nameof(EveryDType))]
    public void EveryDTypeRoundTripsThroughNpz(string dtype, int count, byte[] data)
    {
        var a = new NpyArray(dtype, [count], data);
        var matrix = new NpyArray(dtype, [1, count], data);
        var scalar = new NpyArray(dtype, [], data[..(data.Length / count)]);
        string path = tmp.File("all.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["v"] = a, ["m"] = matrix, ["s"] = scalar });

        var back = Npz.Read(path);
        Assert.Equal(["m", "s", "v"], back.Keys.Order());
        foreach (var (name, orig) in new[] { ("v", a), ("m", matrix), ("s", scalar) })
        {
            Assert.Equal(dtype, back[name].DType);
            Assert.Equal(orig.Shape, back[name].Shape);
            Assert.Equal(orig.Data, back[name].Data);
        }
    }

    [Fact]
    public void TypedFactoriesRoundTrip()
    {
        string path = tmp.File("typed.npz");
        Npz.Write(path, new Dictionary<string, NpyArray>
        {
            ["f"] = NpyArray.FromFloats([1.5f, -0.25f, float.MaxValue, 0, 1, 2], [2, 3]),
            ["d"] = NpyArray.FromDoubles([Math.PI, -1e300]),
            ["l"] = NpyArray.FromInt64s([long.MinValue, 0, long.MaxValue]),
            ["b"] = NpyArray.FromBytes([1, 2, 3, 4], [2, 2]),
            ["s"] = NpyArray.FromStrings(["x", "colour", "", "π😀"]),
        });
        var r = Npz.Read(path);
        Assert.Equal([2, 3], r["f"].Shape);
        Assert.Equal([1.5f, -0.25f, float.MaxValue, 0, 1, 2], r["f"].ToFloats());
        Assert.Equal([Math.PI, -1e300], r["d"].ToDoubles());
        Assert.Equal([long.MinValue, 0, long.MaxValue], r["l"].ToInt64s());
        Assert.Equal("|u1", r["b"].DType);
        Assert.Equal([1, 2, 3, 4], r["b"].ToBytes());
        Assert.Equal("<U6", r["s"].DType); // longest is "colour"; 😀 is one UTF-32 code point
        Assert.Equal(["x", "colour", "", "π😀"], r["s"].ToStrings());
    }

    [Fact]
    public void StringsAreUtf32LittleEndianPaddedWithNuls()
    {
        var a = NpyArray.FromStrings(["ab", "c"]);
        Assert.Equal("<U2", a.DType);
        Assert.Equal(new byte[] { 97, 0, 0, 0, 98, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0 }, a.Data);
    }

    [Fact]
    public void ConvertsBetweenNumericTypes()
    {
        var ints = NpyArray.FromInt32s([0, 200, 255]);
        Assert.Equal([0.0, 200, 255], ints.ToDoubles());
        Assert.Equal([0, 200, 255], ints.ToBytes());
        var wholeFloats = NpyArray.FromDoubles([3.0, -4.0]);
        Assert.Equal([3L, -4], wholeFloats.ToInt64s());
        var bools = NpyArray.FromBools([true, false]);
        Assert.Equal([1.0f, 0f], bools.ToFloats());
    }

    [Fact]
    public void RefusesLossyOrImpossibleConversions()
    {
        Assert.Throws<SbvaeException>(() => NpyArray.FromDoubles([0.5]).ToInt64s());
        Assert.Throws<SbvaeException>(() => NpyArray.FromDoubles([double.NaN]).ToInt64s());
        Assert.Throws<SbvaeException>(() => NpyArray.FromInt64s([256]).ToBytes());
        Assert.Throws<SbvaeException>(() => NpyArray.FromInt64s([-1]).ToBytes());
        Assert.Throws<SbvaeException>(() => new NpyArray("<u8", [1], BitConverter.GetBytes(ulong.MaxValue)).ToInt64s());
        Assert.Throws<SbvaeException>(() => NpyArray.FromStrings(["a"]).ToDoubles());
        Assert.Throws<SbvaeException>(() => NpyArray.FromDoubles([1]).ToStrings());
    }

    [Fact]
    public void ConstructorChecksDataAgainstShape()
    {
        Assert.Throws<SbvaeException>(() => new NpyArray("<f4", [2, 2], new byte[15]));
        Assert.Throws<SbvaeException>(() => new NpyArray("<c8", [1], new byte[8]));
        Assert.Throws<SbvaeException>(() => new NpyArray("O", [1], new byte[8]));
    }

    internal static string WriteZip(string path, (string Name, byte[] Bytes) entry, CompressionLevel level)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        using var s = zip.CreateEntry(entry.Name, level).Open();
        s.Write(entry.Bytes);
        return path;
    }
}
