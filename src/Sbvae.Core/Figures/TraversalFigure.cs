using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>
/// SPEC §6.2: for each model, side by side under its name, a row of inputs, a row of their
/// reconstructions, and a block "latent coordinate traversed" with one row per latent
/// dimension ("lat dim i") whose columns are the sweep values, labelled along the bottom
/// as "perturbation magnitude".
/// </summary>
public static class TraversalFigure
{
    const int Gap = 2, PanelSeparation = 28, Pad = 8;
    const int TitleBand = 32, BlockTitleBand = 28, TickBand = 20, AxisLabelBand = 24;

    /// <param name="scale">pixel repetition; 0 enlarges until a cell is at least 64 px</param>
    public static void Save(string pngPath, IReadOnlyList<TraversalData> models, int scale = 0) =>
        AtomicFile.WriteAllBytes(pngPath, EncodePng(models, scale));

    public static byte[] EncodePng(IReadOnlyList<TraversalData> models, int scale = 0)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0) throw new ArgumentException("no models to draw", nameof(models));
        foreach (TraversalData m in models) Check(m);

        using SKFont title = Fonts.Bold(16), label = Fonts.Regular(14), tick = Fonts.Regular(12);
        var layouts = models.Select(m => new Layout(m, Raster.ResolveScale(scale, m.ImageSize), label)).ToList();
        int width = layouts.Sum(l => l.Width) + PanelSeparation * (layouts.Count - 1);
        int height = layouts.Max(l => l.Height);

        using SKSurface surface = Drawing.NewSurface(width, height);
        int x = 0;
        for (int i = 0; i < models.Count; i++)
        {
            Draw(surface.Canvas, models[i], layouts[i], x, title, label, tick);
            x += layouts[i].Width + PanelSeparation;
        }
        return Drawing.EncodePng(surface);
    }

    /// <summary>Pixel geometry of one model's panel, relative to its top-left corner.</summary>
    sealed class Layout
    {
        public readonly int Scale, Cell, LabelColumn, Columns, Width, Height;
        public readonly int InputTop, ReconTop, BlockTitleTop, TraversalTop, TickTop;

        public Layout(TraversalData m, int scale, SKFont label)
        {
            Scale = scale;
            Cell = m.ImageSize * scale;
            string[] labels = ["input", "recons", $"lat dim {m.Traversals.Length - 1}"];
            LabelColumn = Pad + (int)MathF.Ceiling(Drawing.Width(label, labels)) + 10;
            Columns = Math.Max(m.Inputs.Length, m.SweepValues.Length);
            Width = LabelColumn + Columns * Cell + (Columns - 1) * Gap + Pad;
            InputTop = TitleBand;
            ReconTop = InputTop + Cell + Gap;
            BlockTitleTop = ReconTop + Cell;
            TraversalTop = BlockTitleTop + BlockTitleBand;
            TickTop = TraversalTop + m.Traversals.Length * (Cell + Gap);
            Height = TickTop + TickBand + AxisLabelBand + Pad / 2;
        }

        public int ColumnX(int c) => LabelColumn + c * (Cell + Gap);
        public float GridCentreX => LabelColumn + (Columns * Cell + (Columns - 1) * Gap) / 2f;
    }

    static void Draw(SKCanvas canvas, TraversalData m, Layout l, int left, SKFont title, SKFont label, SKFont tick)
    {
        canvas.Save();
        canvas.Translate(left, 0);
        Drawing.TextCentred(canvas, m.Model, l.GridCentreX, TitleBand / 2f, title);

        float labelRight = l.LabelColumn - 8;
        Row(canvas, m.Inputs, m.ImageSize, l, l.InputTop);
        Drawing.TextRightMiddle(canvas, "input", labelRight, l.InputTop + l.Cell / 2f, label);
        Row(canvas, m.Reconstructions, m.ImageSize, l, l.ReconTop);
        Drawing.TextRightMiddle(canvas, "recons", labelRight, l.ReconTop + l.Cell / 2f, label);

        Drawing.TextCentred(canvas, "latent coordinate traversed", l.GridCentreX, l.BlockTitleTop + BlockTitleBand / 2f + 1, label);
        for (int d = 0; d < m.Traversals.Length; d++)
        {
            int top = l.TraversalTop + d * (l.Cell + Gap);
            Row(canvas, m.Traversals[d], m.ImageSize, l, top);
            Drawing.TextRightMiddle(canvas, $"lat dim {d}", labelRight, top + l.Cell / 2f, label);
        }

        for (int s = 0; s < m.SweepValues.Length; s++)
            Drawing.TextCentred(canvas, Drawing.Signed(m.SweepValues[s]), l.ColumnX(s) + l.Cell / 2f, l.TickTop + TickBand / 2f, tick);
        Drawing.TextCentred(canvas, "perturbation magnitude", l.GridCentreX, l.TickTop + TickBand + AxisLabelBand / 2f, label);
        canvas.Restore();
    }

    static void Row(SKCanvas canvas, float[][] images, int size, Layout l, int top)
    {
        for (int c = 0; c < images.Length; c++)
            Raster.Draw(canvas, images[c], size, l.Scale, l.ColumnX(c), top);
    }

    static void Check(TraversalData m)
    {
        string who = $"model '{m.Model}'";
        if (m.Inputs.Length == 0) throw new ArgumentException($"{who}: no inputs");
        if (m.Reconstructions.Length != m.Inputs.Length)
            throw new ArgumentException($"{who}: {m.Inputs.Length} inputs but {m.Reconstructions.Length} reconstructions");
        if (m.Traversals.Length == 0) throw new ArgumentException($"{who}: no latent dimensions to traverse");
        for (int d = 0; d < m.Traversals.Length; d++)
            if (m.Traversals[d].Length != m.SweepValues.Length)
                throw new ArgumentException($"{who}: lat dim {d} has {m.Traversals[d].Length} images for {m.SweepValues.Length} sweep values");
        foreach (float[] img in m.Inputs.Concat(m.Reconstructions).Concat(m.Traversals.SelectMany(t => t)))
            Raster.Check(img, m.ImageSize, $"{who}: an image");
    }
}
