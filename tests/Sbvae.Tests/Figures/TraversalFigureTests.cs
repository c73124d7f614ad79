using SkiaSharp;
using Sbvae.Figures;

namespace Sbvae.Tests.Figures;

public class TraversalFigureTests
{
    static readonly double[] Sweep = [-2, -4 / 3.0, -2 / 3.0, 0, 2 / 3.0, 4 / 3.0, 2];

    /// <summary>Every image a flat colour unique within the figure, so each can be found by colour.</summary>
    static TraversalData FlatModel(string name, int dims, int size, int first, int total)
    {
        int k = first;
        float[] Next() => Synthetic.Flat(size, Synthetic.Hue(k++ / (double)total));
        float[][] inputs = [.. Enumerable.Range(0, 7).Select(_ => Next())];
        float[][] recons = [.. Enumerable.Range(0, 7).Select(_ => Next())];
        float[][][] trav = [.. Enumerable.Range(0, dims).Select(_ => Enumerable.Range(0, 7).Select(_ => Next()).ToArray())];
        return new TraversalData(name, inputs, recons, trav, Sweep, size);
    }

    static SKRectI BoxOf(SKBitmap bmp, float[] flatImage, int expectedCount)
    {
        var colour = new SKColor(Raster(flatImage[0]), Raster(flatImage[flatImage.Length / 3]), Raster(flatImage[2 * flatImage.Length / 3]));
        (int n, SKRectI box) = Synthetic.Find(bmp, colour);
        Assert.Equal(expectedCount, n);
        return box;
    }

    static byte Raster(float v) => (byte)MathF.Round(v * 255);

    [Fact]
    public void Images_sit_in_their_rows_and_columns_for_two_models()
    {
        const int size = 16, scale = 2, cell = size * scale, dims = 3;
        int perModel = 14 + 7 * dims;
        TraversalData a = FlatModel("spatial broadcast", dims, size, 0, 2 * perModel);
        TraversalData b = FlatModel("deconv", dims, size, perModel, 2 * perModel);
        using SKBitmap bmp = Synthetic.Decode(TraversalFigure.EncodePng([a, b], scale));

        int rightOfA = 0;
        foreach (TraversalData m in new[] { a, b })
        {
            SKRectI[] inputs = [.. m.Inputs.Select(i => BoxOf(bmp, i, cell * cell))];
            SKRectI[] recons = [.. m.Reconstructions.Select(i => BoxOf(bmp, i, cell * cell))];
            for (int c = 0; c < 7; c++)
            {
                Assert.Equal(inputs[0].Top, inputs[c].Top);
                Assert.Equal(inputs[c].Left, recons[c].Left);
                Assert.True(recons[c].Top >= inputs[c].Bottom, "recons row must be under the input row");
                if (c > 0) Assert.True(inputs[c].Left >= inputs[c - 1].Right, "inputs must run left to right");
            }
            int previousBottom = recons[0].Bottom;
            for (int d = 0; d < dims; d++)
            {
                SKRectI[] row = [.. m.Traversals[d].Select(i => BoxOf(bmp, i, cell * cell))];
                Assert.True(row[0].Top > previousBottom, $"lat dim {d} must be below the row above");
                for (int s = 0; s < 7; s++)
                {
                    Assert.Equal(row[0].Top, row[s].Top);
                    Assert.Equal(inputs[s].Left, row[s].Left);
                }
                previousBottom = row[0].Bottom;
            }
            if (m == a) rightOfA = inputs[6].Right;
            else Assert.True(inputs[0].Left > rightOfA, "second model must be to the right of the first");

            // Row labels: ink left of the first column on the input row and each traversal row.
            SKRectI labels = new(inputs[0].Left - 70, inputs[0].Top, inputs[0].Left - 2, inputs[0].Bottom);
            Assert.True(Synthetic.Ink(bmp, labels) > 20, "row label 'input' missing");
            // Tick labels and axis label below the last traversal row.
            var below = new SKRectI(inputs[0].Left, previousBottom, inputs[6].Right, bmp.Height);
            Assert.True(Synthetic.Ink(bmp, below) > 150, "sweep values or axis label missing");
        }
    }

    [Fact]
    public void Sample_with_moving_squares()
    {
        const int size = 32;
        TraversalData Model(string name, bool disentangled)
        {
            float[] At(int x, int y, double hue, int side = 10) => Synthetic.Square(size, Synthetic.Hue(hue), x, y, side);
            float[][] inputs = [.. Enumerable.Range(0, 7).Select(i => At(3 + 3 * i, 20 - 2 * i, i / 7.0))];
            // Reconstructions overshoot: brighter than 1 must be drawn clamped, not wrapped.
            float[][] recons = [.. inputs.Select(img => img.Select(v => v * 1.3f).ToArray())];
            int[] pos = [.. Sweep.Select(s => (int)Math.Round(11 + 5 * s))];
            float[][][] trav =
            [
                [.. pos.Select(p => At(p, 11, 0.6))],
                [.. pos.Select(p => At(11, p, 0.6))],
                [.. Sweep.Select(s => At(11, 11, 0.6 + s / 8))],
                [.. Sweep.Select(s => At(11, 11, 0.6, (int)(10 + 2 * s)))],
                [.. Sweep.Select(_ => At(disentangled ? 11 : 12, 11, 0.6))],
            ];
            return new TraversalData(name, inputs, recons, trav, Sweep, size);
        }
        string path = Path.Combine(Synthetic.SampleDir, "traversals.png");
        TraversalFigure.Save(path, [Model("spatial broadcast", true), Model("deconv", false)]);
        using SKBitmap bmp = Synthetic.DecodeFile(path);
        Assert.True(bmp.Width > 2 * 7 * 64);
        Assert.True(Synthetic.DistinctColours(bmp) > 20);
    }

    [Fact]
    public void One_model_gives_one_panel()
    {
        TraversalData a = FlatModel("a", 2, 16, 0, 56), b = FlatModel("b", 2, 16, 28, 56);
        using SKBitmap one = Synthetic.Decode(TraversalFigure.EncodePng([a], 1));
        using SKBitmap two = Synthetic.Decode(TraversalFigure.EncodePng([a, b], 1));
        Assert.Equal(one.Height, two.Height);
        Assert.InRange(two.Width, 2 * one.Width, 2 * one.Width + 60);
        BoxOf(one, a.Traversals[1][6], 16 * 16);
    }

    [Fact]
    public void Sweep_value_count_must_match_each_traversal_row()
    {
        TraversalData m = FlatModel("m", 2, 8, 0, 40);
        var bad = m with { SweepValues = Sweep[..6] };
        Assert.Throws<ArgumentException>(() => TraversalFigure.EncodePng([bad]));
    }
}
