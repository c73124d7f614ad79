using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Sbvae.Data;

/// <summary>
/// Copies a chunked (possibly compressed) HDF5 image dataset whose chunks hold whole images — chunk shape
/// (c, H, W, C) — to a stream of raw rows, one chunk at a time: PureHDF reads one element of each chunk,
/// and the chunk cache handed to it keeps the whole decoded chunk, whose first rows are the images
/// (a hyperslab of whole rows would be walked three bytes at a time).
/// </summary>
public static class Hdf5Chunks
{
    public static void CopyRows(NativeDataset images, ulong[] dims, ulong[] chunk, Stream target)
    {
        long rowBytes = (long)dims[1] * (long)dims[2] * (long)dims[3];
        var grab = new LastChunk();
        var access = new H5DatasetAccess(ChunkCache: grab);
        var one = new ulong[dims.Length];
        Array.Fill(one, 1UL);
        for (ulong first = 0; first < dims[0]; first += chunk[0])
        {
            var start = new ulong[dims.Length];
            start[0] = first;
            grab.Bytes = null;
            images.Read<byte[]>(access, new HyperslabSelection(dims.Length, start, one));
            long rows = (long)Math.Min(chunk[0], dims[0] - first);
            var bytes = grab.Bytes ?? throw new InvalidOperationException("PureHDF read no chunk");
            if (bytes.Length < rows * rowBytes) throw new SbvaeException($"a chunk of images holds {bytes.Length} bytes, {rows} rows need {rows * rowBytes}");
            target.Write(bytes.Span[..(int)(rows * rowBytes)]);
        }
    }

    /// <summary>Keeps only the chunk read last.</summary>
    sealed class LastChunk : IReadingChunkCache
    {
        public Memory<byte>? Bytes;

        public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkReader) => (Bytes = chunkReader()).Value;
    }
}
