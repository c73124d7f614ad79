using System.IO.Compression;
using System.Text;
using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class NpzValidationTests : IDisposable
{
    readonly TempDir tmp = new();
    public void Dispose() => tmp.Dispose();

    static byte[] Npy(string dict, int dataBytes)
    {
        string header = dict + new string(' ', 64 - (10 + dict.Length + 1) % 64) + "\n";
        return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0,
            .. Encoding.ASCII.GetBytes(header), .. new byte[dataBytes]];
    }

    string ZipWith(string entryName, byte[] npy) =>
        NpyTests.WriteZip(tmp.File(Guid.NewGuid().ToString("N") + ".npz"), (entryName, npy), CompressionLevel.NoCompression);

    static string Fails(Action read) => Assert.Throws<SbvaeException>(read).Message;

    [Fact]
    public void MissingFile()
    {
        string path = tmp.File("none.npz");
        Assert.Contains("not found", Fails(() => Npz.Read(path)));
    }

    [Fact]
    public void NotAZip()
    {
        string path = tmp.File("text.npz");
        File.WriteAllText(path, "hello, this is not a zip archive at all");
        Assert.Contains("not a valid .npz", Fails(() => Npz.Read(path)));
    }

    [Fact]
    public void TruncatedZip()
    {
        string path = tmp.File("cut.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["a"] = NpyArray.FromDoubles(new double[1000]) });
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..(all.Length / 2)]);
        string msg = Fails(() => Npz.Read(path));
        Assert.Contains(path, msg);
        Assert.DoesNotContain('\n', msg);
    }

    [Fact]
    public void CorruptDeflateData()
    {
        string path = NpyTests.WriteZip(tmp.File("bad.npz"), ("a.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (500,), }", 4000)),
            CompressionLevel.Optimal);
        byte[] all = File.ReadAllBytes(path);
        // The deflate stream starts after the 30-byte local header, the name and the extra field;
        // 0xFF as its first byte declares the reserved block type 3, which no decoder accepts.
        int start = 30 + BitConverter.ToUInt16(all, 26) + BitConverter.ToUInt16(all, 28);
        all[start] = 0xFF;
        File.WriteAllBytes(path, all);
        Assert.Throws<SbvaeException>(() => Npz.Read(path));
    }

    [Fact]
    public void BadMagic()
    {
        string path = ZipWith("a.npy", Encoding.ASCII.GetBytes("definitely not numpy data"));
        string msg = Fails(() => Npz.Read(path));
        Assert.Contains("array 'a'", msg);
        Assert.Contains("magic", msg);
    }

    [Fact]
    public void MalformedHeader()
    {
        string path = ZipWith("a.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", 16));
        Assert.Contains("header", Fails(() => Npz.Read(path)));
    }

    [Fact]
    public void HeaderWithoutShape()
    {
        string path = ZipWith("a.npy", Npy("{'descr': '<f8', 'fortran_order': False, }", 8));
        Assert.Contains("shape", Fails(() => Npz.Read(path)));
    }

    [Fact]
    public void FortranOrder()
    {
        string path = ZipWith("w.npy", Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16));
        string msg = Fails(() => Npz.Read(path));
        Assert.Contains("array 'w'", msg);
        Assert.Contains("fortran_order", msg);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    public void DataSizeDiffersFromShape(int bytes)
    {
        string path = ZipWith("w.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", bytes));
        string msg = Fails(() => Npz.Read(path));
        Assert.Contains(path, msg);
        Assert.Contains("array 'w'", msg);
        Assert.Contains("needs 16", msg);
    }

    [Fact]
    public void UnsupportedDType()
    {
        string path = ZipWith("c.npy", Npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16));
        Assert.Contains("unsupported dtype '<c16'", Fails(() => Npz.Read(path)));
    }

    [Fact]
    public void MissingArrayNamesTheOnesPresent()
    {
        string path = tmp.File("x.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["imgs"] = NpyArray.FromBytes([1]) });
        Assert.Equal(["imgs"], Npz.ArrayNames(path));
        string msg = Fails(() => Npz.ReadArray(path, "latents"));
        Assert.Contains("no array 'latents'", msg);
        Assert.Contains("imgs", msg);
    }

    [Fact]
    public void WriteIsAtomicAndLeavesNoTemporaryFiles()
    {
        string path = tmp.File("a.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["a"] = NpyArray.FromBytes([1]) });
        Npz.Write(path, new Dictionary<string, NpyArray> { ["b"] = NpyArray.FromBytes([2]) });
        Assert.Equal(["b"], Npz.ArrayNames(path));
        Assert.Equal(["a.npz"], Directory.GetFiles(tmp.Path).Select(Path.GetFileName));
    }
}
