using ScottPlot;

namespace Sbvae.Figures;

/// <summary>
/// A value over a plane with a colour bar, e.g. reconstruction error against the x–y
/// position of the object. values[row, col]: row indexes y and is drawn bottom-up (row 0
/// at the smallest y, as on a plot, not as in an image); col indexes x.
/// </summary>
public static class HeatMapFigure
{
    const int Width = 640, Height = 540;

    /// <param name="xRange">outer edges of the first and last columns; default 0 … columns</param>
    /// <param name="yRange">outer edges of the first and last rows; default 0 … rows</param>
    /// <param name="outline">a rectangle (x0, x1, y0, y1) drawn in white over the map, e.g. a held-out region</param>
    /// <param name="colorRange">the values at the ends of the colour bar, so several maps share one scale; default the data's range</param>
    public static void Save(string pngPath, double[,] values, string title, string xLabel, string yLabel,
                            (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null,
                            (double X0, double X1, double Y0, double Y1)? outline = null,
                            (double Min, double Max)? colorRange = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), cols = values.GetLength(1);
        if (rows == 0 || cols == 0) throw new ArgumentException("empty heat map", nameof(values));
        var (x0, x1) = xRange ?? (0, cols);
        var (y0, y1) = yRange ?? (0, rows);
        if (!(x1 > x0) || !(y1 > y0)) throw new ArgumentException("a range must have Max > Min");

        Plot plot = Plots.New(title, xLabel, yLabel);
        var map = plot.Add.Heatmap(values);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.FlipVertically = true;
        map.Extent = new CoordinateRect(x0, x1, y0, y1);
        if (colorRange is var (c0, c1)) map.ManualRange = new ScottPlot.Range(c0, c1);
        plot.Add.ColorBar(map);
        if (outline is var (ox0, ox1, oy0, oy1))
        {
            var box = plot.Add.Scatter(new[] { ox0, ox1, ox1, ox0, ox0 }, new[] { oy0, oy0, oy1, oy1, oy0 }, Colors.White);
            box.LineWidth = 2;
            box.MarkerSize = 0;
        }
        plot.Axes.Margins(0, 0);
        Plots.SaveRow(pngPath, [plot], Width, Height);
    }
}
