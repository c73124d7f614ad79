namespace Sbvae.Data;

/// <summary>
/// Draws one sprite the way the reference generator did with Pillow 9.4 ImageDraw: no
/// anti-aliasing, float box corners truncated to integers, box filled inclusively
/// (a size-16 square covers 17 × 17 pixels).
/// </summary>
public static class SpriteRasterizer
{
    /// <param name="hwc">RGB image, (height, width, 3) row-major; drawn over, not cleared.</param>
    /// <param name="x">Horizontal factor value in [0, 1] (0 = left edge, column axis).</param>
    /// <param name="y">Vertical factor value in [0, 1] (0 = top, row axis).</param>
    public static void Draw(byte[] hwc, int imgSize, string shape, int size, double x, double y, (byte R, byte G, byte B) color)
    {
        if (imgSize < 1 || hwc.Length != imgSize * imgSize * 3)
            throw new ArgumentException($"buffer holds {hwc.Length} bytes, not a {imgSize}×{imgSize} RGB image", nameof(hwc));
        if (!double.IsFinite(x) || !double.IsFinite(y))
            throw new ArgumentException("sprite position must be finite");
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

        switch (shape)
        {
            case "square":
                for (int row = Math.Min(y0, y1); row <= Math.Max(y0, y1); row++) HLine(x0, row, x1);
                break;
            case "circle":
                PillowEllipse.Fill(x0, y0, x1, y1, HLine);
                break;
            default:
                throw new SbvaeException($"unknown shape '{shape}' (use {string.Join(" or ", SpriteSpec.KnownShapes)})");
        }
    }
}
