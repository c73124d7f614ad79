using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Sbvae.Data;

/// <summary>
/// 3D Shapes (<c>3dshapes.h5</c>: <c>images</c> uint8 (N, H, W, 3), <c>labels</c> float64 (N, 6)) read
/// with PureHDF. The labels (23 MB) are read whole and turned into classes: per column, the index of the
/// value among the column's sorted distinct values. Images that fit memory are read whole; a larger
/// contiguous <c>images</c> (the public file's layout) is read in place by row with plain positioned reads
/// (<see cref="ChunkedImageFile"/>), since PureHDF walks a row's hyperslab three bytes at a time (≈15 ms
/// a row, where a positioned read takes microseconds).
/// </summary>
public static class Shapes3D
{
    public static readonly IReadOnlyList<string> FactorNames = ["floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"];

    public static bool IsHdf5(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".h5" or ".hdf5";

    /// <param name="inMemoryBytes">Images up to this many bytes are held in memory.</param>
    /// <param name="cache">Where chunked images larger than that are unpacked once (default: the user's dataset cache).</param>
    public static IImageStore Open(string path, long inMemoryBytes = DatasetStores.InMemoryBytes, DatasetCache? cache = null)
    {
        void Fail(string problem) => throw new SbvaeException($"'{path}': {problem}");
        if (!File.Exists(path)) Fail("no such file");
        using var recorder = new ReadRecorder(File.OpenRead(path));
        NativeFile file;
        try { file = H5File.Open(recorder, leaveOpen: true); }
        catch (Exception e) when (e is not SbvaeException) { throw new SbvaeException($"'{path}' is not an HDF5 file ({OneLine(e)})"); }
        using (file)
        {
            var images = Dataset(file, "images", path);
            var labels = Dataset(file, "labels", path);
            var dims = images.Space.Dimensions;
            if (images.Type.Class != H5DataTypeClass.FixedPoint || images.Type.Size != 1 || images.Type.FixedPoint.IsSigned)
                Fail($"images must be uint8, not {TypeText(images.Type)}");
            if (dims.Length != 4 || dims[3] != 3) Fail($"images must be (N, H, W, 3), not ({string.Join(", ", dims)})");
            var labelDims = labels.Space.Dimensions;
            if (labels.Type.Class != H5DataTypeClass.FloatingPoint || labels.Type.Size != 8)
                Fail($"labels must be float64, not {TypeText(labels.Type)}");
            if (labelDims.Length != 2 || labelDims[1] != 6 || labelDims[0] != dims[0])
                Fail($"labels must be ({dims[0]}, 6) beside images ({string.Join(", ", dims)}), not ({string.Join(", ", labelDims)})");
            if (dims[0] < 1 || dims[0] > int.MaxValue) Fail($"holds {dims[0]} images");
            if (dims[1] != dims[2]) Fail($"images must be square, not {dims[1]}×{dims[2]}");
            if (dims[1] < 16 || dims[1] % 16 != 0) Fail($"image size {dims[1]} is not a multiple of 16 (the encoder halves it four times)");
            int n = (int)dims[0], side = (int)dims[1];
            var (classes, values) = Classes(labels.Read<double[]>(), n, Fail);
            long bytes = (long)n * side * side * 3;
            if (bytes <= Math.Min(inMemoryBytes, Array.MaxLength))
                return new ImageDataset(n, side, side, 3, Read(images, path), FactorNames.ToArray(), values,
                    classes.Select(c => (long)c).ToArray());
            if (images.Layout.Class == H5DataLayoutClass.Chunked)
                return new ChunkedImageFile(Unchunked(images, path, cache ?? new DatasetCache()), 0, n, side, side, 3, FactorNames, classes);
            if (images.Layout.Class != H5DataLayoutClass.Contiguous)
                Fail($"images larger than {DatasetStores.InMemoryBytes >> 30} GB must be stored contiguous or chunked, not {images.Layout.Class.ToString().ToLowerInvariant()}");
            long offset = RowOffset(images, recorder, side, n - 1, path) - (long)(n - 1) * side * side * 3;
            return new ChunkedImageFile(path, offset, n, side, side, 3, FactorNames, classes);
        }
    }

    /// <summary>Chunked images (maybe compressed) unpacked once, a chunk at a time, into a raw file in the dataset cache.</summary>
    static string Unchunked(IH5Dataset images, string path, DatasetCache cache)
    {
        var dims = images.Space.Dimensions;
        var chunk = images.Layout.Chunks;
        if (chunk.Length != 4 || chunk[1] != dims[1] || chunk[2] != dims[2] || chunk[3] != dims[3])
            throw new SbvaeException($"'{path}': images are chunked as ({string.Join(", ", chunk)}), which splits images; "
                + "chunks of whole images (n, H, W, 3) or a contiguous dataset are read (h5repack -l images:CONTI makes one)");
        return cache.GetOrCreate($"h5-images|{DatasetCache.Stamp(path)}", ".u8", target =>
        {
            try { Hdf5Chunks.CopyRows((NativeDataset)images, dims, chunk, target); }
            catch (Exception e) when (e is not SbvaeException) { throw new SbvaeException($"'{path}': cannot read images ({OneLine(e)})"); }
        });
    }

    static IH5Dataset Dataset(NativeFile file, string name, string path)
    {
        if (!file.LinkExists(name))
            throw new SbvaeException($"'{path}' has no dataset '{name}' (3D Shapes needs images (N, 64, 64, 3) uint8 and labels (N, 6) float64)");
        try { return file.Dataset(name); }
        catch (Exception e) when (e is not SbvaeException) { throw new SbvaeException($"'{path}': '{name}' is not a dataset ({OneLine(e)})"); }
    }

    /// <summary>(N, 6) classes and values: per column, each value's index among the column's sorted distinct values.</summary>
    static (int[] Classes, double[] Values) Classes(double[] labels, int n, Action<string> fail)
    {
        var classes = new int[labels.Length];
        for (int j = 0; j < 6; j++)
        {
            var column = new double[n];
            for (int i = 0; i < n; i++)
            {
                column[i] = labels[i * 6 + j];
                if (!double.IsFinite(column[i])) fail($"labels row {i} has {column[i]} for '{FactorNames[j]}'");
            }
            var distinct = column.Distinct().Order().ToArray();
            for (int i = 0; i < n; i++) classes[i * 6 + j] = Array.BinarySearch(distinct, column[i]);
        }
        return (classes, labels);
    }

    static byte[] Read(IH5Dataset images, string path)
    {
        try { return images.Read<byte[]>(); }
        catch (Exception e) when (e is not SbvaeException) { throw new SbvaeException($"'{path}': cannot read images ({OneLine(e)})"); }
    }

    /// <summary>
    /// Where row <paramref name="row"/> of a contiguous dataset starts in the file: PureHDF reads one row,
    /// and the first read it makes of the file is the row's first pixel.
    /// </summary>
    static long RowOffset(IH5Dataset images, ReadRecorder recorder, int side, int row, string path)
    {
        recorder.Reads.Clear();
        var expected = images.Read<byte[]>(new HyperslabSelection(4, [(ulong)row, 0, 0, 0], [1, (ulong)side, (ulong)side, 3]));
        if (recorder.Reads.Count == 0) throw new SbvaeException($"'{path}': could not locate the images in the file");
        long at = recorder.Reads[0];
        // Checked: the bytes there must be the row PureHDF read.
        var actual = new byte[expected.Length];
        using (var f = File.OpenHandle(path))
            if (RandomAccess.Read(f, actual, at) != actual.Length || !actual.AsSpan().SequenceEqual(expected))
                throw new SbvaeException($"'{path}': could not locate the images in the file");
        return at;
    }

    static string TypeText(IH5DataType type) => $"{type.Class.ToString().ToLowerInvariant()} of {type.Size} bytes";

    static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    /// <summary>A read-only stream that notes where each read begins.</summary>
    sealed class ReadRecorder(Stream inner) : Stream
    {
        public List<long> Reads { get; } = [];
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            Reads.Add(inner.Position);
            return inner.Read(buffer);
        }
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
