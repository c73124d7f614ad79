namespace Sbvae.Data;

/// <summary>
/// Draws one sprite the way the reference generator did with Pillow 9.4 ImageDraw: no
/// anti-aliasing, float box corners truncated to integers, box filled inclusively
/// (a size-16 square covers 17 × 17 pixels). Triangles, hearts and rotated squares have no
/// Pillow counterpart: they light every pixel whose centre lies inside the shape, which keeps
/// them within the same box. Rotation turns the shape about the box centre; corners that then
/// leave the image are clipped.
/// </summary>
public static class SpriteRasterizer
{
    /// <param name="hwc">RGB image, (height, width, 3) row-major; drawn over, not cleared.</param>
    /// <param name="x">Horizontal factor value in [0, 1] (0 = left edge, column axis).</param>
    /// <param name="y">Vertical factor value in [0, 1] (0 = top, row axis).</param>
    /// <param name="rotation">Degrees, counter-clockwise as seen in the image; circles ignore it.</param>
    public static void Draw(byte[] hwc, int imgSize, string shape, int size, double x, double y, (byte R, byte G, byte B) color,
        double rotation = 0)
    {
        if (imgSize < 1 || hwc.Length != imgSize * imgSize * 3)
            throw new ArgumentException($"buffer holds {hwc.Length} bytes, not a {imgSize}×{imgSize} RGB image", nameof(hwc));
        if (!double.IsFinite(x) || !double.IsFinite(y))
            throw new ArgumentException("sprite position must be finite");
        if (!double.IsFinite(rotation))
            throw new ArgumentException("sprite rotation must be finite");
        // Same float arithmetic as the reference: px = (img_size − 2 − size)·x, box (px, py)–(px+size, py+size).
        double px = (imgSize - 2 - size) * x, py = (imgSize - 2 - size) * y;
        // ImageDraw passes the corners to C as (int)double: truncation toward zero.
        int x0 = (int)px, y0 = (int)py, x1 = (int)(px + size), y1 = (int)(py + size);

        void HLine(int xa, int row, int xb)
        {
            if (row < 0 || row >= imgSize) return;
            if (xa > xb) (xa, xb) = (xb, xa);
            xa = Math.Max(xa, 0);
            xb = Math.Min(xb, imgSize - 1);
            for (int col = xa; col <= xb; col++)
            {
                int i = (row * imgSize + col) * 3;
                hwc[i] = color.R; hwc[i + 1] = color.G; hwc[i + 2] = color.B;
            }
        }

        double turn = rotation % 360;
        switch (shape)
        {
            case "square" when turn == 0:
                for (int row = Math.Min(y0, y1); row <= Math.Max(y0, y1); row++) HLine(x0, row, x1);
                break;
            case "circle":
                PillowEllipse.Fill(x0, y0, x1, y1, HLine);
                break;
            case "square" or "triangle" or "heart":
                FillByPixelCentres(shape, x0, y0, x1, y1, turn, imgSize, HLine);
                break;
            default:
                throw new SbvaeException($"unknown shape '{shape}' (use {SpriteSpec.ShapeList})");
        }
    }

    /// <summary>Lights each pixel whose centre, turned back by the rotation, falls inside the shape's box-normalised outline.</summary>
    static void FillByPixelCentres(string shape, int x0, int y0, int x1, int y1, double degrees, int imgSize, Action<int, int, int> hline)
    {
        // The inclusive box spans pixels x0..x1, i.e. the continuous interval [x0, x1 + 1].
        double cx = (x0 + x1 + 1) / 2.0, cy = (y0 + y1 + 1) / 2.0;
        double hx = (x1 - x0 + 1) / 2.0, hy = (y1 - y0 + 1) / 2.0;
        var (sin, cos) = SinCos(degrees);
        double reach = degrees == 0 ? 0 : Math.Sqrt(hx * hx + hy * hy);
        int rowFrom = Math.Max(0, (int)Math.Floor(cy - Math.Max(hy, reach))), rowTo = Math.Min(imgSize - 1, (int)Math.Ceiling(cy + Math.Max(hy, reach)));
        int colFrom = Math.Max(0, (int)Math.Floor(cx - Math.Max(hx, reach))), colTo = Math.Min(imgSize - 1, (int)Math.Ceiling(cx + Math.Max(hx, reach)));
        for (int row = rowFrom; row <= rowTo; row++)
            for (int col = colFrom; col <= colTo; col++)
            {
                double dx = col + 0.5 - cx, dy = row + 0.5 - cy;
                // Inverse of a counter-clockwise turn on screen (y points down).
                double a = dx * cos - dy * sin, b = dx * sin + dy * cos;
                if (SpriteShapes.Inside(shape, a / hx, b / hy)) hline(col, row, col);
            }
    }

    /// <summary>Exact values at multiples of 90° so quarter turns map pixel centres onto pixel centres.</summary>
    static (double Sin, double Cos) SinCos(double degrees)
    {
        double d = degrees < 0 ? degrees + 360 : degrees;
        return d switch
        {
            0 => (0, 1),
            90 => (1, 0),
            180 => (0, -1),
            270 => (-1, 0),
            _ => Math.SinCos(d * Math.PI / 180),
        };
    }
}
