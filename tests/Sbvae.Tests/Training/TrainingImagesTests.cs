using Sbvae.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Training;

/// <summary>A batch is the chosen images as fp32 in [0, 1]: each byte divided by 255, as libtorch's cast and division give it.</summary>
public class TrainingImagesTests
{
    [Theory]
    [InlineData(3, 16)] // whole 16-value blocks
    [InlineData(3, 5)]  // 75 values per image: a block-sized remainder and single ones
    [InlineData(1, 7)]  // grey images repeated to RGB
    public void BatchIsTheBytesOver255BitForBit(int channels, int side)
    {
        const int count = 9;
        var rng = new Random(3);
        var hwc = new byte[count * side * side * channels];
        rng.NextBytes(hwc);
        hwc[0] = 0;
        hwc[1] = 255;
        using var images = new TrainingImages(hwc, count, side, side, channels, CPU);
        long[] indices = [4, 0, 8, 4, 1];

        using var batch = images.Batch(indices);

        using var nhwc = tensor(hwc, [count, side, side, channels], ScalarType.Byte);
        using var rgb = nhwc.permute(0, 3, 1, 2).expand(count, 3, side, side);
        using var chosen = rgb.index_select(0, tensor(indices));
        using var expected = chosen.to(ScalarType.Float32).div_(255f);
        Assert.Equal(new long[] { indices.Length, 3, side, side }, batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
        Assert.True(batch.equal(expected).all().item<bool>(), "the gathered batch differs from index_select, cast and division");
        Assert.True(batch.min().item<float>() >= 0 && batch.max().item<float>() <= 1);
    }

    [Fact]
    public void AnIndexOutsideTheSetIsRefused()
    {
        using var images = new TrainingImages(new byte[2 * 4 * 4 * 3], 2, 4, 4, 3, CPU);
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Batch([0, 2]).Dispose());
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Batch([-1]).Dispose());
    }
}
