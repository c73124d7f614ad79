using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class TraversalAnimationTests
{
    const int Size = 16, Rows = 3, Cols = 4, Steps = 7;
    static readonly double[] Sweep = [.. Enumerable.Range(0, Steps).Select(i => -2 + 4.0 * i / (Steps - 1))];

    /// <summary>frames[step][row][col]: flat colour unique to (step, row, col).</summary>
    static float[][][][] Frames() =>
        [.. Enumerable.Range(0, Steps).Select(s =>
            Enumerable.Range(0, Rows).Select(r =>
                Enumerable.Range(0, Cols).Select(c => Synthetic.Flat(Size, Synthetic.Hue((s * Rows * Cols + r * Cols + c) / 84.0))).ToArray()).ToArray())];

    [Fact]
    public void Frames_ping_pong_and_loop_forever()
    {
        byte[] gif = TraversalAnimation.EncodeGif(Frames(), Sweep, Size, scale: 4, frameDelayMs: 200);

        GifLayout g = GifLayout.Parse(gif);
        Assert.Equal(2 * Steps - 2, g.ImageCount);
        Assert.Equal(0, g.LoopCount);
        Assert.All(g.DelaysCs, d => Assert.Equal(20, d));
        Assert.Equal(Cols * Size * 4 + (Cols + 1) * 2, g.Width);

        List<SKBitmap> decoded = GifLayout.DecodeFrames(gif, out _);
        int[] expectedStep = [0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1];
        int cellArea = (Size * 4) * (Size * 4);
        for (int f = 0; f < decoded.Count; f++)
        {
            for (int r = 0; r < Rows; r++)
                for (int c = 0; c < Cols; c++)
                {
                    SKColor want = Synthetic.ToColor(Synthetic.Hue((expectedStep[f] * Rows * Cols + r * Cols + c) / 84.0));
                    Assert.InRange(Synthetic.CountNear(decoded[f], new SKRectI(0, 0, g.Width, g.Height), want, 4),
                                   cellArea, cellArea + 50);
                }
            // The sweep value is written above the grid.
            Assert.True(Synthetic.Ink(decoded[f], new SKRectI(0, 0, g.Width, 24)) > 30, $"frame {f}: no header text");
            decoded[f].Dispose();
        }
    }

    [Fact]
    public void Sample_animation_and_its_first_frame()
    {
        const int size = 32;
        float[][][][] frames = [.. Sweep.Select(s =>
            Enumerable.Range(0, 4).Select(r =>
                Enumerable.Range(0, 5).Select(c =>
                {
                    int x = 11 + (c == 0 ? (int)Math.Round(5 * s) : 0), y = 11 + (c == 1 ? (int)Math.Round(5 * s) : 0);
                    double hue = r / 4.0 + (c == 2 ? s / 16 : 0);
                    return Synthetic.Square(size, Synthetic.Hue(hue), x, y, c == 3 ? (int)(10 + 2 * s) : 10);
                }).ToArray()).ToArray())];
        string path = Path.Combine(Synthetic.SampleDir, "traversal.gif");
        TraversalAnimation.SaveGif(path, frames, Sweep, size);

        byte[] gif = File.ReadAllBytes(path);
        List<SKBitmap> decoded = GifLayout.DecodeFrames(gif, out _);
        Assert.Equal(12, decoded.Count);
        using (var data = decoded[0].Encode(SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(Path.Combine(Synthetic.SampleDir, "traversal_gif_frame0.png"), data.ToArray());
        foreach (SKBitmap b in decoded) b.Dispose();
    }
}
