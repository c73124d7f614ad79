using Sbvae.Interop;

namespace Sbvae.Tests.Interop;

/// <summary>
/// Weight files in the reference PyTorch layout (SPEC §8), written from the spec's own names and
/// shapes (not from our model), with seeded values, and with the coordinate grids stored the way
/// the reference code stores them: expand views of a linspace with zero strides.
/// </summary>
public sealed class ReferenceWeights
{
    public required string Decoder { get; init; }
    public required int Latent { get; init; }
    public required int ImageSize { get; init; }
    public List<(string Name, float[] Values, long[] Shape)> Tensors { get; } = [];

    public float[] this[string name] => Tensors.First(t => t.Name == name).Values;

    /// <summary>Weights uniform in ±1/√fan_in (PyTorch's default init scale), biases likewise.</summary>
    public static ReferenceWeights Create(string decoder, int latent, int imageSize, int seed = 1)
    {
        var w = new ReferenceWeights { Decoder = decoder, Latent = latent, ImageSize = imageSize };
        var rng = new Random(seed);
        void Layer(string name, long[] shape, long fanIn, long biasLength)
        {
            float bound = 1f / MathF.Sqrt(fanIn);
            w.Tensors.Add((name + ".weight", Uniform(rng, shape, bound), shape));
            w.Tensors.Add((name + ".bias", Uniform(rng, [biasLength], bound), [biasLength]));
        }
        int side = imageSize / 16;
        Layer("encoder.encoder_conv.0", [64, 3, 4, 4], 3 * 16, 64);
        foreach (int i in new[] { 2, 4, 6 }) Layer($"encoder.encoder_conv.{i}", [64, 64, 4, 4], 64 * 16, 64);
        Layer("encoder.encoder_conv.9", [256, 64 * side * side], 64 * side * side, 256);
        Layer("encoder.fc_mu.0", [latent, 256], 256, latent);
        Layer("encoder.fc_log_var.0", [latent, 256], 256, latent);
        if (decoder == "sbd")
        {
            Layer("decoder.decoder_convs.0", [64, latent + 2, 3, 3], (latent + 2) * 9, 64);
            Layer("decoder.decoder_convs.2", [64, 64, 3, 3], 64 * 9, 64);
            Layer("decoder.decoder_convs.4", [3, 64, 3, 3], 64 * 9, 3);
        }
        else
        {
            int ups = imageSize % 32 == 0 ? 5 : 4, g = imageSize >> ups;
            Layer("decoder.decoder_upsampling.0", [64 * g * g, latent], latent, 64 * g * g);
            for (int i = 0; i < ups; i++)
            {
                int outCh = i == ups - 1 ? 3 : 64;
                Layer($"decoder.decoder_deconv.{2 * i}", [64, outCh, 4, 4], outCh * 16, outCh); // ConvTranspose: (in, out, kH, kW)
            }
        }
        return w;
    }

    static float[] Uniform(Random rng, long[] shape, float bound)
    {
        var v = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * bound;
        return v;
    }

    /// <summary>linspace(−1, 1, n) in float32, as torch computes it (start + i·step, symmetric halves).</summary>
    public static float[] Linspace(int n)
    {
        var v = new float[n];
        float step = 2f / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) v[i] = i < half ? -1f + step * i : 1f - step * (n - 1 - i);
        return v;
    }

    /// <summary>How the grids are stored: as meshgrid(x, y) views (two storages) or one shared storage with strides (0,0,1,0)/(0,0,0,1).</summary>
    public enum GridStorage { Meshgrid, SharedExpand, Contiguous, Missing }

    /// <summary>The torch.save entries: every tensor contiguous with its own storage, plus the two grids.</summary>
    public List<TorchTensorEntry> Entries(GridStorage grids = GridStorage.Meshgrid)
    {
        var entries = new List<TorchTensorEntry>();
        int key = 0;
        foreach (var (name, values, shape) in Tensors)
        {
            entries.Add(new TorchTensorEntry(name, TorchStorage.FromFloats((key++).ToString(), values), 0, shape, StridedView.ContiguousStrides(shape)));
            if (name == "encoder.fc_log_var.0.bias" && Decoder == "sbd") entries.AddRange(GridEntries(grids, ref key));
        }
        return entries;
    }

    List<TorchTensorEntry> GridEntries(GridStorage grids, ref int key)
    {
        int g = ImageSize;
        long[] shape = [1, 1, g, g];
        var lin = Linspace(g);
        switch (grids)
        {
            case GridStorage.Meshgrid:
            {
                // x, y = linspace(...); meshgrid "ij" gives x.expand with strides (1, 0) and y.expand with (0, 1);
                // .view(1, 1, g, g) of those keeps the zero strides: (g, g, 1, 0) and (0, 0, 0, 1).
                var xs = TorchStorage.FromFloats((key++).ToString(), lin);
                var ys = TorchStorage.FromFloats((key++).ToString(), lin);
                return [new("decoder.x_grid", xs, 0, shape, [g, g, 1, 0]), new("decoder.y_grid", ys, 0, shape, [0, 0, 0, 1])];
            }
            case GridStorage.SharedExpand:
            {
                // one storage with padding in front, viewed at an offset: checks offset handling too
                var padded = new float[g + 5];
                lin.CopyTo(padded, 5);
                var s = TorchStorage.FromFloats((key++).ToString(), padded);
                return [new("decoder.x_grid", s, 5, shape, [0, 0, 1, 0]), new("decoder.y_grid", s, 5, shape, [0, 0, 0, 1])];
            }
            case GridStorage.Contiguous:
            {
                float[] x = new float[g * g], y = new float[g * g];
                for (int i = 0; i < g; i++) for (int j = 0; j < g; j++) { x[i * g + j] = lin[i]; y[i * g + j] = lin[j]; }
                return [new("decoder.x_grid", TorchStorage.FromFloats((key++).ToString(), x), 0, shape, [g * g, g * g, g, 1]),
                        new("decoder.y_grid", TorchStorage.FromFloats((key++).ToString(), y), 0, shape, [g * g, g * g, g, 1])];
            }
            default:
                return [];
        }
    }

    public string SavePt(string path, GridStorage grids = GridStorage.Meshgrid)
    {
        using var f = File.Create(path);
        TorchFileWriter.Write(f, Entries(grids));
        return path;
    }
}
