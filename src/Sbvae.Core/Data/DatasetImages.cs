namespace Sbvae.Data;

/// <summary>Single images out of a dataset as float (3, H, W) in [0, 1], for figures.</summary>
public static class DatasetImages
{
    public static float[] Chw(ImageDataset data, int index)
    {
        int h = data.Height, w = data.Width, c = data.Channels;
        var img = new float[3 * h * w];
        long baseAt = (long)index * h * w * c;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < 3; ch++)
                    img[(ch * h + y) * w + x] = data.Pixels[baseAt + (y * w + x) * c + (c == 1 ? 0 : ch)] / 255f;
        return img;
    }
}
