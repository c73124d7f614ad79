using Sbvae.Data;

namespace Sbvae.Tests;

/// <summary>Small datasets and scratch folders for the tests.</summary>
public static class TestData
{
    /// <summary>72 images of 16×16: 6×6 positions × 2 colours, 4-pixel squares.</summary>
    public static ImageDataset Tiny() => SpriteGenerator.Generate(new SpriteSpec
    {
        NumPos = 6, Shapes = ["square"], Sizes = [4], Colors = ["red", "lime"], ImgSize = 16,
    });

    /// <summary>32 images of 16×16: 4×4 positions × 2 colours, 7-pixel squares (big enough to learn fast).</summary>
    public static ImageDataset Learnable() => SpriteGenerator.Generate(new SpriteSpec
    {
        NumPos = 4, Shapes = ["square"], Sizes = [7], Colors = ["red", "lime"], ImgSize = 16,
    });

    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "sbvae-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
