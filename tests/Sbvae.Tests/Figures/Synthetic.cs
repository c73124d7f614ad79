using SkiaSharp;

namespace Sbvae.Tests.Figures;

/// <summary>Small synthetic inputs and decoding helpers for the figure tests.</summary>
internal static class Synthetic
{
    /// <summary>Where sample figures go for a person to look at.</summary>
    public static string SampleDir
    {
        get
        {
            string dir = Path.Combine(Path.GetTempPath(), "figs");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>A (3, size, size) image: black, with a filled square of the given colour.</summary>
    public static float[] Square(int size, (float R, float G, float B) colour, int x0, int y0, int side)
    {
        var img = new float[3 * size * size];
        for (int y = Math.Max(0, y0); y < Math.Min(size, y0 + side); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(size, x0 + side); x++)
            {
                int p = y * size + x;
                img[p] = colour.R; img[size * size + p] = colour.G; img[2 * size * size + p] = colour.B;
            }
        return img;
    }

    /// <summary>A (3, size, size) image of one colour.</summary>
    public static float[] Flat(int size, (float R, float G, float B) c) => Square(size, c, 0, 0, size);

    /// <summary>A saturated colour from the hue wheel, h in [0, 1).</summary>
    public static (float R, float G, float B) Hue(double h)
    {
        var c = SKColor.FromHsv((float)(h * 360 % 360), 90, 95);
        return (c.Red / 255f, c.Green / 255f, c.Blue / 255f);
    }

    public static SKColor ToColor((float R, float G, float B) c) =>
        new((byte)MathF.Round(c.R * 255), (byte)MathF.Round(c.G * 255), (byte)MathF.Round(c.B * 255));

    public static SKBitmap DecodeFile(string path) =>
        SKBitmap.Decode(path) ?? throw new InvalidOperationException($"{path} is not a decodable image");

    public static SKBitmap Decode(byte[] bytes) =>
        SKBitmap.Decode(bytes) ?? throw new InvalidOperationException("not a decodable image");

    public static int DistinctColours(SKBitmap bmp)
    {
        var set = new HashSet<uint>();
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
                set.Add((uint)bmp.GetPixel(x, y));
        return set.Count;
    }

    /// <summary>Bounding box and pixel count of all pixels exactly equal to a colour.</summary>
    public static (int Count, SKRectI Box) Find(SKBitmap bmp, SKColor colour)
    {
        int n = 0, x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
                if (bmp.GetPixel(x, y) == colour)
                {
                    n++;
                    x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x); y1 = Math.Max(y1, y);
                }
        return (n, n == 0 ? SKRectI.Empty : new SKRectI(x0, y0, x1 + 1, y1 + 1));
    }

    /// <summary>Count of pixels that are clearly not white or near-white (ink: text, lines).</summary>
    public static int Ink(SKBitmap bmp, SKRectI area)
    {
        int n = 0;
        for (int y = Math.Max(0, area.Top); y < Math.Min(bmp.Height, area.Bottom); y++)
            for (int x = Math.Max(0, area.Left); x < Math.Min(bmp.Width, area.Right); x++)
            {
                SKColor c = bmp.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 3 * 160) n++;
            }
        return n;
    }

    /// <summary>Count of pixels within tol of a colour in every channel.</summary>
    public static int CountNear(SKBitmap bmp, SKRectI area, SKColor c, int tol = 12)
    {
        int n = 0;
        for (int y = area.Top; y < area.Bottom; y++)
            for (int x = area.Left; x < area.Right; x++)
            {
                SKColor p = bmp.GetPixel(x, y);
                if (Math.Abs(p.Red - c.Red) <= tol && Math.Abs(p.Green - c.Green) <= tol && Math.Abs(p.Blue - c.Blue) <= tol) n++;
            }
        return n;
    }
}
