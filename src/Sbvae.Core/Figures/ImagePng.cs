namespace Sbvae.Figures;

/// <summary>One model image (float (3, H, W), clamped to [0, 1]) as PNG bytes at its own size: what the explorer serves.</summary>
public static class ImagePng
{
    public static byte[] Encode(float[] chw, int size)
    {
        using var image = Raster.ToImage(chw, size);
        using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
