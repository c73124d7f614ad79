namespace Sbvae.Data;

/// <summary>
/// Filled ellipses exactly as Pillow 9.4 ImageDraw draws them (the integer ellipse tracer in
/// src/libImaging/Draw.c: quarter_* / ellipse_* / ellipseNew). The reference dataset was made
/// with it, and a textbook circle differs by a few edge pixels.
///
/// The algorithm works on a doubled integer grid so both even and odd diameters are exact:
/// semi-axes a = x1 − x0 and b = y1 − y0 in half-pixel units, centre at (0, 0). A Bresenham
/// walk traces the top-right quarter of the outer curve (and of an inner curve for outlines);
/// each distinct y yields a span mirrored into all four quarters; spans map back to pixels
/// with x0 + (X + a) / 2.
/// </summary>
internal static class PillowEllipse
{
    /// <summary>Calls <paramref name="hline"/>(xLeft, y, xRight) for each inclusive span of the filled ellipse in the box.</summary>
    public static void Fill(int x0, int y0, int x1, int y1, Action<int, int, int> hline)
    {
        int a = x1 - x0, b = y1 - y0;
        if (a < 0 || b < 0) return;
        // Pillow fills by drawing an outline as thick as a + b, which reaches the centre.
        foreach (var (l, y, r) in Spans(a, b, a + b))
            hline(x0 + (l + a) / 2, y0 + (y + b) / 2, x0 + (r + a) / 2);
    }

    /// <summary>Spans (left, y, right) in doubled coordinates of an outline of thickness w.</summary>
    static IEnumerable<(int L, int Y, int R)> Spans(int a, int b, int w)
    {
        int leftmost = a % 2;
        var outer = new QuarterArc(a, b);
        if (w < 1 || !outer.Next(out int pr, out int py)) yield break;
        var inner = new QuarterArc(a - 2 * (w - 1), b - 2 * (w - 1));
        int pl = leftmost;
        bool finished = false;
        while (!finished)
        {
            int y = py, l = pl, r = pr;
            int cx, cy;
            // Advance the outer curve past this row: its last point on the row gives the next right end.
            bool more;
            while ((more = outer.Next(out cx, out cy)) && cy <= y) { }
            if (more) { pr = cx; py = cy; }
            else finished = true;
            // The inner curve's last point on this row is the span's inner (left) end.
            while ((more = inner.Next(out cx, out cy)) && cy <= y) l = cx;
            pl = more ? cx : leftmost;

            // Same emission order as Pillow; the (l == 0 ? 2 : l) keeps the centre column from being
            // drawn twice, which matters only for blended ink but is kept for fidelity.
            if ((l > 0 || l < r) && y > 0) yield return (l == 0 ? 2 : l, y, r);
            if (y > 0) yield return (-r, y, -l);
            if (l > 0 || l < r) yield return (l == 0 ? 2 : l, -y, r);
            yield return (-r, -y, -l);
        }
    }

    /// <summary>
    /// Walks the quarter x, y ≥ 0 of the ellipse x²/a² + y²/b² = 1 from (a, b mod 2) to (a mod 2, b)
    /// in steps of 2, each step choosing among up, up-left and left the point closest to the curve.
    /// </summary>
    sealed class QuarterArc
    {
        readonly long a2, b2, a2b2;
        readonly int ex, ey;
        int cx, cy;
        bool finished;

        public QuarterArc(int a, int b)
        {
            if (a < 0 || b < 0) { finished = true; return; }
            cx = a; cy = b % 2;
            ex = a % 2; ey = b;
            a2 = (long)a * a; b2 = (long)b * b; a2b2 = a2 * b2;
        }

        long Error(long x, long y) => Math.Abs(a2 * y * y + b2 * x * x - a2b2);

        /// <summary>Returns the current point and advances; false once the walk has ended.</summary>
        public bool Next(out int x, out int y)
        {
            x = cx; y = cy;
            if (finished) return false;
            if (cx == ex && cy == ey) { finished = true; return true; }
            int nx = cx, ny = cy + 2;
            long best = Error(nx, ny);
            if (nx > 1)
            {
                long diag = Error(cx - 2, cy + 2);
                if (best > diag) { nx = cx - 2; ny = cy + 2; best = diag; }
                if (best > Error(cx - 2, cy)) { nx = cx - 2; ny = cy; }
            }
            cx = nx; cy = ny;
            return true;
        }
    }
}
