using Sbvae.Data;

namespace Sbvae.Tests.Data;

public class SpriteGeneratorTests
{
    static readonly Lazy<ImageDataset> Reference = new(ImageDataset.Reference);

    [Fact]
    public void ReferenceDatasetHas3675ImagesAndThreeVaryingFactors()
    {
        var d = Reference.Value;
        Assert.Equal(3675, d.Count);
        Assert.Equal((64, 64, 3), (d.Height, d.Width, d.Channels));
        Assert.Equal(3675 * 64 * 64 * 3, d.Pixels.Length);
        Assert.Equal(["x", "y", "shape", "size", "color"], d.FactorNames);
        Assert.Equal([35, 35, 1, 1, 3], d.FactorSizes);
        Assert.Equal([0, 1, 4], d.VaryingFactors);
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 0, 0, 1)]
    [InlineData(3, 0, 1, 0)]
    [InlineData(105, 1, 0, 0)]
    [InlineData(3674, 34, 34, 2)]
    public void RowsRunXOutermostColourInnermost(int row, int xi, int yi, int ci)
    {
        var d = Reference.Value;
        Assert.Equal([xi, yi, 0L, 0L, ci], d.Classes(row).ToArray());
        double[] pos = SpriteGenerator.Linspace(35);
        Assert.Equal([pos[xi], pos[yi], 0, 16, ci], d.FactorValues[(row * 5)..(row * 5 + 5)]);
    }

    [Fact]
    public void LinspaceMatchesNumpy()
    {
        double[] p = SpriteGenerator.Linspace(35);
        Assert.Equal(0.0, p[0]);
        Assert.Equal(1.0, p[34]);
        Assert.Equal(0.5, p[17]);
        Assert.Equal(3 * (1.0 / 34), p[3]);
        Assert.Equal([0.0], SpriteGenerator.Linspace(1));
    }

    [Fact]
    public void EveryReferenceImageIsOneCircleOfItsColour()
    {
        var d = Reference.Value;
        (byte, byte, byte)[] colours = [(255, 0, 0), (0, 128, 0), (0, 0, 255)];
        for (int i = 0; i < d.Count; i++)
        {
            var img = d.Image(i);
            var want = colours[d.Classes(i)[4]];
            int lit = 0;
            for (int p = 0; p < img.Length; p += 3)
            {
                if (img[p] == 0 && img[p + 1] == 0 && img[p + 2] == 0) continue;
                Assert.Equal(want, (img[p], img[p + 1], img[p + 2]));
                lit++;
            }
            Assert.Equal(221, lit);
        }
    }

    [Fact]
    public void RenderReproducesAGeneratedImage()
    {
        var d = Reference.Value;
        var image = new byte[64 * 64 * 3];
        Array.Fill(image, (byte)7); // Render must clear first
        int row = d.IndexOf([20, 9, 0, 0, 2]);
        SpriteGenerator.Render(image, new SpriteSpec(), 20, 9, 0, 0, 2);
        Assert.Equal(d.Image(row).ToArray(), image);
    }

    [Fact]
    public void ShapeVariesBeforeSize()
    {
        var spec = new SpriteSpec { NumPos = 2, Shapes = ["circle", "square"], Sizes = [4, 8], Colors = ["white"], ImgSize = 16 };
        var d = SpriteGenerator.Generate(spec);
        Assert.Equal(16, d.Count);
        Assert.Equal([0L, 0, 0, 1, 0], d.Classes(1).ToArray());
        Assert.Equal([0L, 0, 1, 0, 0], d.Classes(2).ToArray());
        Assert.Equal(8.0, d.FactorValues[1 * 5 + 3]);
        int LitPixels(int i) => d.Image(i).ToArray().Count(b => b != 0) / 3;
        Assert.Equal(21, LitPixels(0));  // circle, size 4
        Assert.Equal(25, LitPixels(2));  // square, size 4: 5×5
        Assert.Equal([0, 1, 2, 3], d.VaryingFactors);
    }

    [Theory]
    [InlineData(0, 64, 16, "circle", "red", "num_pos")]
    [InlineData(5, 40, 16, "circle", "red", "multiple of 16")]
    [InlineData(5, 64, 63, "circle", "red", "out of range")]
    [InlineData(5, 64, 0, "circle", "red", "out of range")]
    [InlineData(5, 64, 16, "hexagon", "red", "unknown shape")]
    [InlineData(5, 64, 16, "circle", "reddish", "unknown colour")]
    public void ValidateRejectsBadSpecs(int numPos, int imgSize, int size, string shape, string colour, string message)
    {
        var spec = new SpriteSpec { NumPos = numPos, ImgSize = imgSize, Sizes = [size], Shapes = [shape], Colors = [colour] };
        var e = Assert.Throws<SbvaeException>(spec.Validate);
        Assert.Contains(message, e.Message);
        Assert.Throws<SbvaeException>(() => SpriteGenerator.Generate(spec));
    }

    [Fact]
    public void DefaultSpecIsTheValidReferenceGrid()
    {
        var spec = new SpriteSpec();
        spec.Validate(); // throws on an invalid spec
        Assert.Equal((35, 64, 0), (spec.NumPos, spec.ImgSize, spec.Samples));
        Assert.Equal(["circle"], spec.Shapes);
        Assert.Equal([16], spec.Sizes);
        Assert.Equal(["red", "green", "blue"], spec.Colors);
        Assert.Equal([0.0], spec.Rotations);
        Assert.False(spec.HasRotationFactor);
        Assert.Equal(35 * 35 * 3, spec.Count);
        Assert.Equal(["x", "y", "shape", "size", "color"], SpriteGenerator.FactorNamesFor(spec));
        // What it renders: the reference dataset, one 64×64 RGB image per combination.
        var d = Reference.Value;
        Assert.Equal(spec.Count, d.Count);
        Assert.Equal((spec.ImgSize, spec.ImgSize, 3), (d.Height, d.Width, d.Channels));
    }
}
