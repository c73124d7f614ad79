using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class GifEncoderTests
{
    static byte[] RandomFrame(Random rng, int w, int h, SKColor[] colours)
    {
        var f = new byte[w * h * 4];
        for (int p = 0; p < w * h; p++)
        {
            SKColor c = colours[rng.Next(colours.Length)];
            f[4 * p] = c.Red; f[4 * p + 1] = c.Green; f[4 * p + 2] = c.Blue; f[4 * p + 3] = 255;
        }
        return f;
    }

    static SKColor[] Colours(Random rng, int n) =>
        [.. Enumerable.Range(0, n).Select(_ => new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)))];

    [Fact]
    public void Structure_has_header_loop_extension_and_one_image_per_frame()
    {
        var rng = new Random(1);
        SKColor[] colours = Colours(rng, 5);
        byte[][] frames = [.. Enumerable.Range(0, 4).Select(_ => RandomFrame(rng, 13, 7, colours))];
        byte[] gif = GifEncoder.Encode(13, 7, frames, delayCentiseconds: 25);

        GifLayout g = GifLayout.Parse(gif);
        Assert.Equal("GIF89a", g.Version);
        Assert.Equal((13, 7), (g.Width, g.Height));
        Assert.Equal(256, g.GlobalTableSize);
        Assert.Equal(0, g.LoopCount);
        Assert.Equal(4, g.ImageCount);
        Assert.Equal([25, 25, 25, 25], g.DelaysCs);
        Assert.True(g.HasTrailer);
    }

    [Fact]
    public void Noisy_frames_round_trip_exactly_through_an_independent_decoder()
    {
        // 200 colours of noise over 97×61 pixels fills the 4096-code table several times,
        // so code widening and table resets are both exercised.
        var rng = new Random(2);
        SKColor[] colours = Colours(rng, 200);
        byte[][] frames = [.. Enumerable.Range(0, 3).Select(_ => RandomFrame(rng, 97, 61, colours))];
        byte[] gif = GifEncoder.Encode(97, 61, frames, delayCentiseconds: 10);

        List<SKBitmap> decoded = GifLayout.DecodeFrames(gif, out int repetitions);
        Assert.Equal(3, decoded.Count);
        Assert.Equal(-1, repetitions); // Skia reports "forever" as -1
        for (int i = 0; i < 3; i++)
        {
            byte[] got = decoded[i].Bytes;
            Assert.Equal(frames[i].Length, got.Length);
            Assert.True(frames[i].AsSpan().SequenceEqual(got), $"frame {i} differs after decoding");
            decoded[i].Dispose();
        }
    }

    [Fact]
    public void With_more_than_256_colours_the_dominant_flat_colours_stay_exact()
    {
        // Mostly two flat colours with a speckle of 2000 random ones, like antialiased text.
        var rng = new Random(3);
        SKColor bg = new(10, 20, 200), fg = new(240, 200, 30);
        SKColor[] speckle = Colours(rng, 2000);
        const int w = 64, h = 64;
        var f = new byte[w * h * 4];
        for (int p = 0; p < w * h; p++)
        {
            SKColor c = rng.NextDouble() < 0.1 ? speckle[rng.Next(speckle.Length)] : (p % w < w / 2 ? bg : fg);
            f[4 * p] = c.Red; f[4 * p + 1] = c.Green; f[4 * p + 2] = c.Blue; f[4 * p + 3] = 255;
        }
        byte[] gif = GifEncoder.Encode(w, h, [f], 10);
        using SKBitmap bmp = GifLayout.DecodeFrames(gif, out _)[0];

        int exact = 0, total = 0;
        for (int p = 0; p < w * h; p++)
        {
            var want = new SKColor(f[4 * p], f[4 * p + 1], f[4 * p + 2]);
            if (want != bg && want != fg) continue;
            total++;
            if (bmp.GetPixel(p % w, p / w) == want) exact++;
        }
        Assert.Equal(total, exact);
    }

    [Fact]
    public void Frame_of_wrong_size_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => GifEncoder.Encode(4, 4, [new byte[4 * 4 * 4 - 1]], 10));
    }
}
