namespace Sbvae.Tests.Interop;

/// <summary>
/// The reference networks (SPEC §3, §8) written out with plain loops in double precision, reading
/// weights by their PyTorch names: an implementation independent of libtorch to check ours against.
/// Tensors are flat row-major arrays; one image at a time.
/// </summary>
public sealed class ManagedVae(ReferenceWeights w)
{
    /// <summary>(μ, log σ²) of one (3, S, S) image.</summary>
    public (double[] Mu, double[] LogVar) Encode(float[] image)
    {
        int s = w.ImageSize;
        double[] h = image.Select(v => (double)v).ToArray();
        int c = 3;
        foreach (int i in new[] { 0, 2, 4, 6 })
        {
            h = Relu(Conv(h, c, s, W($"encoder.encoder_conv.{i}.weight"), W($"encoder.encoder_conv.{i}.bias"), 64, 4, stride: 2, pad: 1));
            c = 64; s /= 2;
        }
        var dense = Relu(Linear(h, W("encoder.encoder_conv.9.weight"), W("encoder.encoder_conv.9.bias")));
        return (Linear(dense, W("encoder.fc_mu.0.weight"), W("encoder.fc_mu.0.bias")),
                Linear(dense, W("encoder.fc_log_var.0.weight"), W("encoder.fc_log_var.0.bias")));
    }

    public double[] Decode(double[] z) => w.Decoder == "sbd" ? DecodeBroadcast(z) : DecodeDeconv(z);

    public double[] Reconstruct(float[] image) => Decode(Encode(image).Mu);

    double[] DecodeBroadcast(double[] z)
    {
        int s = w.ImageSize, k = z.Length;
        var lin = ReferenceWeights.Linspace(s);
        var input = new double[(k + 2) * s * s];
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++)
            {
                for (int c = 0; c < k; c++) input[(c * s + i) * s + j] = z[c];
                input[(k * s + i) * s + j] = lin[i];        // x_grid varies down the rows
                input[((k + 1) * s + i) * s + j] = lin[j];  // y_grid across the columns
            }
        var h = Relu(Conv(input, k + 2, s, W("decoder.decoder_convs.0.weight"), W("decoder.decoder_convs.0.bias"), 64, 3, 1, 1));
        h = Relu(Conv(h, 64, s, W("decoder.decoder_convs.2.weight"), W("decoder.decoder_convs.2.bias"), 64, 3, 1, 1));
        return Conv(h, 64, s, W("decoder.decoder_convs.4.weight"), W("decoder.decoder_convs.4.bias"), 3, 3, 1, 1);
    }

    double[] DecodeDeconv(double[] z)
    {
        int ups = w.ImageSize % 32 == 0 ? 5 : 4, g = w.ImageSize >> ups;
        var h = Relu(Linear(z, W("decoder.decoder_upsampling.0.weight"), W("decoder.decoder_upsampling.0.bias")));
        int size = g;
        for (int i = 0; i < ups; i++)
        {
            int outCh = i == ups - 1 ? 3 : 64;
            h = ConvTranspose(h, 64, size, W($"decoder.decoder_deconv.{2 * i}.weight"), W($"decoder.decoder_deconv.{2 * i}.bias"), outCh);
            if (i < ups - 1) h = Relu(h);
            size *= 2;
        }
        return h;
    }

    float[] W(string name) => w[name];

    static double[] Relu(double[] x) => x.Select(v => Math.Max(0, v)).ToArray();

    static double[] Linear(double[] x, float[] weight, float[] bias)
    {
        var y = new double[bias.Length];
        for (int o = 0; o < y.Length; o++)
        {
            double acc = bias[o];
            for (int i = 0; i < x.Length; i++) acc += weight[o * x.Length + i] * x[i];
            y[o] = acc;
        }
        return y;
    }

    /// <summary>Square convolution, weight (out, in, k, k), zero padding.</summary>
    static double[] Conv(double[] x, int inCh, int size, float[] weight, float[] bias, int outCh, int k, int stride, int pad)
    {
        int outSize = (size + 2 * pad - k) / stride + 1;
        var y = new double[outCh * outSize * outSize];
        for (int o = 0; o < outCh; o++)
            for (int oi = 0; oi < outSize; oi++)
                for (int oj = 0; oj < outSize; oj++)
                {
                    double acc = bias[o];
                    for (int c = 0; c < inCh; c++)
                        for (int ki = 0; ki < k; ki++)
                        {
                            int i = oi * stride - pad + ki;
                            if (i < 0 || i >= size) continue;
                            for (int kj = 0; kj < k; kj++)
                            {
                                int j = oj * stride - pad + kj;
                                if (j < 0 || j >= size) continue;
                                acc += weight[((o * inCh + c) * k + ki) * k + kj] * x[(c * size + i) * size + j];
                            }
                        }
                    y[(o * outSize + oi) * outSize + oj] = acc;
                }
        return y;
    }

    /// <summary>4×4 stride-2 padding-1 transposed convolution, weight (in, out, 4, 4): doubles the side.</summary>
    static double[] ConvTranspose(double[] x, int inCh, int size, float[] weight, float[] bias, int outCh)
    {
        int outSize = size * 2;
        var y = new double[outCh * outSize * outSize];
        for (int o = 0; o < outCh; o++)
            for (int p = 0; p < outSize * outSize; p++) y[o * outSize * outSize + p] = bias[o];
        for (int c = 0; c < inCh; c++)
            for (int i = 0; i < size; i++)
                for (int j = 0; j < size; j++)
                {
                    double v = x[(c * size + i) * size + j];
                    for (int o = 0; o < outCh; o++)
                        for (int ki = 0; ki < 4; ki++)
                        {
                            int oi = i * 2 - 1 + ki;
                            if (oi < 0 || oi >= outSize) continue;
                            for (int kj = 0; kj < 4; kj++)
                            {
                                int oj = j * 2 - 1 + kj;
                                if (oj < 0 || oj >= outSize) continue;
                                y[(o * outSize + oi) * outSize + oj] += v * weight[((c * outCh + o) * 4 + ki) * 4 + kj];
                            }
                        }
                }
        return y;
    }
}
