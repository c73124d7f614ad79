using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>
/// Animated latent traversal: one frame per sweep value, played forwards then backwards
/// (−2 → 2 → −2) so the loop has no jump. Each frame is a grid with one row per input and
/// one column per latent dimension; a cell is the decoding of that input's code with that
/// dimension set to the frame's sweep value. The sweep value is written above the grid.
/// </summary>
public static class TraversalAnimation
{
    const int Gap = 2;
    const int HeaderHeight = 26;
    const int ColumnLabelHeight = 18;

    /// <param name="frames">frames[step][input][latentDim], each a (3, size, size) image</param>
    /// <param name="sweepValues">the value of the traversed dimension at each step</param>
    /// <param name="scale">pixel repetition; 0 enlarges until a cell is at least 64 px</param>
    public static void SaveGif(string gifPath, float[][][][] frames, double[] sweepValues, int imageSize,
                               int scale = 0, int frameDelayMs = 250) =>
        AtomicFile.WriteAllBytes(gifPath, EncodeGif(frames, sweepValues, imageSize, scale, frameDelayMs));

    public static byte[] EncodeGif(float[][][][] frames, double[] sweepValues, int imageSize,
                                   int scale = 0, int frameDelayMs = 250)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(sweepValues);
        if (frames.Length == 0) throw new ArgumentException("no frames", nameof(frames));
        if (frames.Length != sweepValues.Length)
            throw new ArgumentException($"{frames.Length} frames but {sweepValues.Length} sweep values");
        int rows = frames[0].Length, cols = rows > 0 ? frames[0][0].Length : 0;
        if (rows == 0 || cols == 0) throw new ArgumentException("a frame needs at least one input and one latent dimension");
        for (int s = 0; s < frames.Length; s++)
        {
            if (frames[s].Length != rows || frames[s].Any(r => r.Length != cols))
                throw new ArgumentException($"frame {s} is not a {rows}×{cols} grid like frame 0");
            foreach (float[] img in frames[s].SelectMany(r => r)) Raster.Check(img, imageSize, $"an image of frame {s}");
        }
        scale = Raster.ResolveScale(scale, imageSize);
        int cell = imageSize * scale;
        int width = cols * cell + (cols + 1) * Gap;
        int height = HeaderHeight + ColumnLabelHeight + rows * cell + (rows + 1) * Gap;
        // Keep the header readable when the grid is narrower than its text.
        width = Math.Max(width, 190);

        var rendered = frames.Select((f, s) => Render(f, sweepValues[s], imageSize, scale, width, height)).ToArray();
        var order = PingPong(frames.Length).Select(i => rendered[i]).ToArray();
        return GifEncoder.Encode(width, height, order, Math.Max(1, frameDelayMs / 10));
    }

    /// <summary>0, 1, …, n−1, n−2, …, 1: the next loop starts again at 0.</summary>
    internal static IEnumerable<int> PingPong(int n) =>
        Enumerable.Range(0, n).Concat(Enumerable.Range(1, Math.Max(0, n - 2)).Reverse());

    static byte[] Render(float[][][] grid, double sweep, int size, int scale, int width, int height)
    {
        int cell = size * scale;
        using SKSurface surface = Drawing.NewSurface(width, height);
        SKCanvas canvas = surface.Canvas;
        using SKFont header = Fonts.Bold(15);
        using SKFont label = Fonts.Regular(cell >= 56 ? 12 : 10);
        Drawing.Text(canvas, $"perturbation = {Drawing.Signed(sweep)}", Gap + 2, 18, header);
        for (int c = 0; c < grid[0].Length; c++)
            Drawing.TextCentred(canvas, cell >= 56 ? $"lat dim {c}" : $"{c}", Gap + c * (cell + Gap) + cell / 2f,
                                HeaderHeight + ColumnLabelHeight / 2f, label);
        for (int r = 0; r < grid.Length; r++)
            for (int c = 0; c < grid[r].Length; c++)
                Raster.Draw(canvas, grid[r][c], size, scale,
                            Gap + c * (cell + Gap), HeaderHeight + ColumnLabelHeight + Gap + r * (cell + Gap));
        return surface.PeekPixels().GetPixelSpan().ToArray();
    }
}
