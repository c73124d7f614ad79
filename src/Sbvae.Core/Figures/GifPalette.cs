namespace Sbvae.Figures;

/// <summary>
/// One 256-entry colour table shared by all frames of a GIF. Our frames are mostly a few
/// flat colours, so when at most 256 distinct colours occur they are kept exactly;
/// otherwise the 256 most populated cells of a 32×32×32 colour cube, each represented by
/// its most frequent colour, with every other cell mapped to the nearest entry.
/// </summary>
internal sealed class GifPalette
{
    public const int Entries = 256;

    /// <summary>768 bytes, r g b per entry; unused entries are black.</summary>
    public byte[] Table { get; } = new byte[Entries * 3];

    readonly Dictionary<int, byte>? exact;
    readonly int[]? cellIndex; // 15-bit cube cell → palette index

    GifPalette(Dictionary<int, byte> exact) => this.exact = exact;
    GifPalette(int[] cellIndex) => this.cellIndex = cellIndex;

    /// <summary>Builds the palette from RGBA frames (alpha ignored).</summary>
    public static GifPalette Build(IReadOnlyList<byte[]> rgbaFrames)
    {
        var distinct = new Dictionary<int, byte>();
        foreach (byte[] f in rgbaFrames)
            for (int i = 0; i < f.Length && distinct.Count <= Entries; i += 4)
                distinct.TryAdd(Rgb(f, i), 0);
        return distinct.Count <= Entries ? Exact(distinct.Keys) : Popular(rgbaFrames);
    }

    public byte IndexOf(byte[] rgba, int offset) =>
        exact is not null ? exact[Rgb(rgba, offset)] : (byte)cellIndex![Cell(rgba, offset)];

    static GifPalette Exact(IEnumerable<int> colours)
    {
        var map = new Dictionary<int, byte>();
        var p = new GifPalette(map);
        foreach (int c in colours)
        {
            byte k = (byte)map.Count;
            map[c] = k;
            p.Set(k, (c >> 16) & 255, (c >> 8) & 255, c & 255);
        }
        return p;
    }

    static GifPalette Popular(IReadOnlyList<byte[]> frames)
    {
        const int Cells = 1 << 15;
        var exactCount = new Dictionary<int, int>();
        foreach (byte[] f in frames)
            for (int i = 0; i < f.Length; i += 4)
                exactCount[Rgb(f, i)] = exactCount.GetValueOrDefault(Rgb(f, i)) + 1;

        // Each cell is represented by its most frequent exact colour, so flat areas keep
        // their colour exactly even when rarer colours (antialiased edges) share the cell.
        var count = new long[Cells];
        var best = new int[Cells];
        var bestCount = new int[Cells];
        foreach ((int rgb, int n) in exactCount)
        {
            int c = CellOf(rgb);
            count[c] += n;
            if (n > bestCount[c]) { bestCount[c] = n; best[c] = rgb; }
        }
        int[] top = Enumerable.Range(0, Cells).Where(c => count[c] > 0)
            .OrderByDescending(c => count[c]).Take(Entries).ToArray();

        var cellIndex = new int[Cells];
        var p = new GifPalette(cellIndex);
        for (int k = 0; k < top.Length; k++)
        {
            int rgb = best[top[k]];
            p.Set(k, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
        }
        for (int c = 0; c < Cells; c++)
        {
            if (count[c] == 0) continue;
            int rgb = best[c];
            int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
            int nearest = 0; int nearestD = int.MaxValue;
            for (int k = 0; k < top.Length; k++)
            {
                int dr = r - p.Table[3 * k], dg = g - p.Table[3 * k + 1], db = b - p.Table[3 * k + 2];
                int d = dr * dr + dg * dg + db * db;
                if (d < nearestD) { nearestD = d; nearest = k; }
            }
            cellIndex[c] = nearest;
        }
        return p;
    }

    void Set(int k, int r, int g, int b)
    {
        Table[3 * k] = (byte)r; Table[3 * k + 1] = (byte)g; Table[3 * k + 2] = (byte)b;
    }

    static int Rgb(byte[] f, int i) => (f[i] << 16) | (f[i + 1] << 8) | f[i + 2];
    static int Cell(byte[] f, int i) => ((f[i] >> 3) << 10) | ((f[i + 1] >> 3) << 5) | (f[i + 2] >> 3);
    static int CellOf(int rgb) => ((rgb >> 19 & 31) << 10) | ((rgb >> 11 & 31) << 5) | (rgb >> 3 & 31);
}
