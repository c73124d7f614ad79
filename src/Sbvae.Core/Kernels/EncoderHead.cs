using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// The encoder's end — flatten (channel-major, as the reference), Linear(F → H) and relu, then the
/// two heads Linear(H → k) for μ and for log σ² — as one hand-written pass each way, in fp32. For a
/// training share of eight images these are a few megaflops spread over a dozen libtorch ops and
/// their autograd nodes, whose fixed cost is most of the layer's time.
/// Input: features (B, C, S, S) fp32, channels-last or contiguous; the weights fp32 and contiguous.
/// Output: (B, 2k), μ then log σ². Runs on the calling thread.
/// </summary>
internal sealed class EncoderHead : autograd.SingleTensorFunction<EncoderHead>
{
    const int Lanes = Block64.Lanes;
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(EncoderHead);

    /// <summary>Whether the kernel computes these layers on <paramref name="features"/>.</summary>
    public static bool Handles(Tensor features, Linear hidden, Linear mu, Linear logVar) =>
        Vector512.IsHardwareAccelerated && features.device_type == DeviceType.CPU && features.dtype == ScalarType.Float32 && features.dim() == 4
        && (Layout.IsChannelsLast(features) || features.is_contiguous())
        && Dense(hidden, features.shape[1] * features.shape[2] * features.shape[3]) && Dense(mu, hidden.out_features) && Dense(logVar, hidden.out_features)
        && mu.out_features == logVar.out_features && hidden.in_features % Block64.Channels == 0 && hidden.out_features % Lanes == 0;

    static bool Dense(Linear layer, long inputs) =>
        layer.in_features == inputs && layer.weight is { dtype: ScalarType.Float32 } w && w.is_contiguous() && w.device_type == DeviceType.CPU
        && layer.bias is { dtype: ScalarType.Float32 } b && b.is_contiguous();

    /// <summary>(μ, log σ²) of <paramref name="features"/>.</summary>
    public static (Tensor Mu, Tensor LogVar) Apply(Tensor features, Linear hidden, Linear mu, Linear logVar)
    {
        Tensor[] parameters = [hidden.weight!, hidden.bias!, mu.weight!, mu.bias!, logVar.weight!, logVar.bias!];
        Tensor both;
        // Without gradients, no autograd node (see InputConv.Apply).
        if (!is_grad_enabled() || !(features.requires_grad || parameters.Any(p => p.requires_grad)))
        {
            var (output, flat, h) = Forward(features, parameters);
            flat.Dispose();
            h.Dispose();
            both = output;
        }
        else both = apply([features, .. parameters]);
        long k = mu.out_features;
        var result = (both.narrow(1, 0, k), both.narrow(1, k, k));
        both.Dispose();
        return result;
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var features = (Tensor)vars[0];
        var parameters = vars.Skip(1).Cast<Tensor>().Select(p => p.detach()).ToArray();
        // No dispose scope of its own: the saved tensors must outlive this call (see InputConv.forward).
        var (output, flat, h) = Forward(features, parameters);
        ctx.save_for_backward([flat, h, .. parameters]);
        ctx.save_data("shape", features.shape);
        ctx.save_data("channelsLast", Layout.IsChannelsLast(features));
        return output;
    }

    /// <summary>Sizes: images, flattened features, hidden units, latents.</summary>
    readonly record struct Shape(int B, int F, int H, int K);

    static (Tensor Output, Tensor Flat, Tensor Hidden) Forward(Tensor features, Tensor[] p)
    {
        var shape = new Shape((int)features.shape[0], (int)p[0].shape[1], (int)p[0].shape[0], (int)p[2].shape[0]);
        var flat = empty([shape.B, shape.F], ScalarType.Float32);
        var h = empty([shape.B, shape.H], ScalarType.Float32);
        var output = empty([shape.B, 2 * shape.K], ScalarType.Float32);
        unsafe
        {
            float* f = TensorMemory.Pointer<float>(flat), hp = TensorMemory.Pointer<float>(h), o = TensorMemory.Pointer<float>(output);
            Flatten(TensorMemory.Pointer<float>(features), features, f, shape, toFlat: true);
            Linear(f, TensorMemory.Pointer<float>(p[0]), TensorMemory.Pointer<float>(p[1]), hp, shape.B, shape.F, shape.H, shape.H, relu: true);
            Linear(hp, TensorMemory.Pointer<float>(p[2]), TensorMemory.Pointer<float>(p[3]), o, shape.B, shape.H, shape.K, 2 * shape.K, relu: false);
            Linear(hp, TensorMemory.Pointer<float>(p[4]), TensorMemory.Pointer<float>(p[5]), o + shape.K, shape.B, shape.H, shape.K, 2 * shape.K, relu: false);
        }
        return (output, flat, h);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (flat, h) = (saved[0], saved[1]);
        var (w1, wMu, wLogVar) = (saved[2], saved[4], saved[6]);
        var featureShape = (long[])ctx.get_data("shape");
        bool channelsLast = (bool)ctx.get_data("channelsLast");
        var shape = new Shape((int)flat.shape[0], (int)flat.shape[1], (int)h.shape[1], (int)wMu.shape[0]);
        var grad = gradOutput.to(ScalarType.Float32).contiguous(); // (B, 2k)
        var gradH = empty([shape.B, shape.H], ScalarType.Float32);
        var gradFlat = empty([shape.B, shape.F], ScalarType.Float32);
        var gradW1 = empty([shape.H, shape.F], ScalarType.Float32);
        var gradB1 = empty(shape.H, ScalarType.Float32);
        var gradWMu = empty([shape.K, shape.H], ScalarType.Float32);
        var gradBMu = empty(shape.K, ScalarType.Float32);
        var gradWLogVar = empty([shape.K, shape.H], ScalarType.Float32);
        var gradBLogVar = empty(shape.K, ScalarType.Float32);
        var gradFeatures = channelsLast
            ? empty([featureShape[0], featureShape[2], featureShape[3], featureShape[1]], ScalarType.Float32).permute(0, 3, 1, 2)
            : empty(featureShape, ScalarType.Float32);
        unsafe
        {
            float* g = TensorMemory.Pointer<float>(grad), hp = TensorMemory.Pointer<float>(h), gh = TensorMemory.Pointer<float>(gradH);
            float* f = TensorMemory.Pointer<float>(flat), gf = TensorMemory.Pointer<float>(gradFlat);
            // Heads: weight gradients Σ_b dout[b, o] h[b], and the hidden layer's gradient through both.
            OuterSum(g, 2 * shape.K, hp, shape.B, shape.K, shape.H, TensorMemory.Pointer<float>(gradWMu), TensorMemory.Pointer<float>(gradBMu));
            OuterSum(g + shape.K, 2 * shape.K, hp, shape.B, shape.K, shape.H, TensorMemory.Pointer<float>(gradWLogVar), TensorMemory.Pointer<float>(gradBLogVar));
            Transposed(g, 2 * shape.K, TensorMemory.Pointer<float>(wMu), TensorMemory.Pointer<float>(wLogVar), shape.K, hp, gh, shape.B, shape.H);
            // Hidden layer: its weight gradient and the features' gradient.
            OuterSum(gh, shape.H, f, shape.B, shape.H, shape.F, TensorMemory.Pointer<float>(gradW1), TensorMemory.Pointer<float>(gradB1));
            InputGradient(gh, TensorMemory.Pointer<float>(w1), gf, shape);
            Flatten(TensorMemory.Pointer<float>(gradFeatures), gradFeatures, gf, shape, toFlat: false);
        }
        return Handoff.Hand([gradFeatures.DetachFromDisposeScope(), gradW1.DetachFromDisposeScope(), gradB1.DetachFromDisposeScope(),
            gradWMu.DetachFromDisposeScope(), gradBMu.DetachFromDisposeScope(), gradWLogVar.DetachFromDisposeScope(), gradBLogVar.DetachFromDisposeScope()]);
    }

    /// <summary>Between the features' storage and the channel-major flat rows (B, C·S·S), either way.</summary>
    static unsafe void Flatten(float* features, Tensor layout, float* flat, Shape shape, bool toFlat)
    {
        if (!Layout.IsChannelsLast(layout))
        {
            long bytes = (long)shape.B * shape.F * sizeof(float);
            if (toFlat) Buffer.MemoryCopy(features, flat, bytes, bytes);
            else Buffer.MemoryCopy(flat, features, bytes, bytes);
            return;
        }
        int channels = (int)layout.shape[1], plane = shape.F / channels;
        if (plane % Lanes == 0 && channels % Lanes == 0)
        {
            // 16 pixels × 16 channels at a time: one image's (pixel, channel) rows become (channel, pixel) rows.
            for (int b = 0; b < shape.B; b++)
                for (int p = 0; p < plane; p += Lanes)
                    for (int c = 0; c < channels; c += Lanes)
                    {
                        float* stored = features + ((long)b * plane + p) * channels + c, row = flat + (long)b * shape.F + (long)c * plane + p;
                        if (toFlat) Transpose16x16.Apply(stored, channels, row, plane);
                        else Transpose16x16.Apply(row, plane, stored, channels);
                    }
            return;
        }
        for (int b = 0; b < shape.B; b++)
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < channels; c++)
                {
                    long stored = ((long)b * plane + p) * channels + c, row = (long)b * shape.F + c * plane + p;
                    if (toFlat) flat[row] = features[stored];
                    else features[stored] = flat[row];
                }
    }

    /// <summary>
    /// y[b, j] = bias[j] + Σ_i x[b, i] w[j, i] (optionally relu'd), y's rows <paramref name="yStride"/> apart:
    /// four images at a time, two vectors each, so eight independent sums hide the multiply-add latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Linear(float* x, float* w, float* bias, float* y, int rows, int inputs, int outputs, int yStride, bool relu)
    {
        for (int j = 0; j < outputs; j++)
        {
            float* wj = w + (long)j * inputs;
            for (int b = 0; b < rows; b += 4)
            {
                int real = Math.Min(4, rows - b);
                float* x0 = x + (long)b * inputs;
                float* x1 = real > 1 ? x0 + inputs : x0, x2 = real > 2 ? x0 + 2 * inputs : x0, x3 = real > 3 ? x0 + 3 * inputs : x0;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, c0 = default, c1 = default, c2 = default, c3 = default;
                int i = 0;
                for (; i + 2 * Lanes <= inputs; i += 2 * Lanes)
                {
                    var v = Vector512.Load(wj + i);
                    var u = Vector512.Load(wj + i + Lanes);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(x0 + i), v, a0); c0 = Vector512.FusedMultiplyAdd(Vector512.Load(x0 + i + Lanes), u, c0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Load(x1 + i), v, a1); c1 = Vector512.FusedMultiplyAdd(Vector512.Load(x1 + i + Lanes), u, c1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Load(x2 + i), v, a2); c2 = Vector512.FusedMultiplyAdd(Vector512.Load(x2 + i + Lanes), u, c2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Load(x3 + i), v, a3); c3 = Vector512.FusedMultiplyAdd(Vector512.Load(x3 + i + Lanes), u, c3);
                }
                if (i < inputs)
                {
                    var v = Vector512.Load(wj + i);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(x0 + i), v, a0); a1 = Vector512.FusedMultiplyAdd(Vector512.Load(x1 + i), v, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Load(x2 + i), v, a2); a3 = Vector512.FusedMultiplyAdd(Vector512.Load(x3 + i), v, a3);
                }
                float* target = y + (long)b * yStride + j;
                target[0] = Finish(bias[j] + Vector512.Sum(a0 + c0), relu);
                if (real > 1) target[yStride] = Finish(bias[j] + Vector512.Sum(a1 + c1), relu);
                if (real > 2) target[2 * yStride] = Finish(bias[j] + Vector512.Sum(a2 + c2), relu);
                if (real > 3) target[3 * yStride] = Finish(bias[j] + Vector512.Sum(a3 + c3), relu);
            }
        }
    }

    static float Finish(float sum, bool relu) => relu ? MathF.Max(sum, 0) : sum;

    /// <summary>
    /// gradW[o, i] = Σ_b g[b, o] x[b, i] and gradB[o] = Σ_b g[b, o]; g's rows <paramref name="gStride"/> apart.
    /// Eight vectors of i at a time: eight independent sums over b.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void OuterSum(float* g, int gStride, float* x, int rows, int outputs, int inputs, float* gradW, float* gradB)
    {
        for (int o = 0; o < outputs; o++)
        {
            float bias = 0;
            for (int b = 0; b < rows; b++) bias += g[(long)b * gStride + o];
            gradB[o] = bias;
            float* target = gradW + (long)o * inputs;
            int i = 0;
            for (; i + 8 * Lanes <= inputs; i += 8 * Lanes)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int b = 0; b < rows; b++)
                {
                    var s = Vector512.Create(g[(long)b * gStride + o]);
                    float* xb = x + (long)b * inputs + i;
                    a0 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb), a0); a1 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + Lanes), a1);
                    a2 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + 2 * Lanes), a2); a3 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + 3 * Lanes), a3);
                    a4 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + 4 * Lanes), a4); a5 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + 5 * Lanes), a5);
                    a6 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + 6 * Lanes), a6); a7 = Vector512.FusedMultiplyAdd(s, Vector512.Load(xb + 7 * Lanes), a7);
                }
                Block64.Store(target + i, a0, a1, a2, a3);
                Block64.Store(target + i + 4 * Lanes, a4, a5, a6, a7);
            }
            for (; i < inputs; i += Lanes)
            {
                var a = Vector512<float>.Zero;
                for (int b = 0; b < rows; b++)
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(g[(long)b * gStride + o]), Vector512.Load(x + (long)b * inputs + i), a);
                a.Store(target + i);
            }
        }
    }

    /// <summary>The hidden layer's gradient: gh[b] = (Σ_o dμ[b, o] wMu[o] + Σ_o dlogσ²[b, o] wLogVar[o]) where h[b] > 0, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Transposed(float* g, int gStride, float* wMu, float* wLogVar, int latents, float* h, float* gh, int rows, int hidden)
    {
        for (int b = 0; b < rows; b++)
            for (int i = 0; i < hidden; i += Lanes)
            {
                var a = Vector512<float>.Zero;
                for (int o = 0; o < latents; o++)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(g[(long)b * gStride + o]), Vector512.Load(wMu + (long)o * hidden + i), a);
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(g[(long)b * gStride + latents + o]), Vector512.Load(wLogVar + (long)o * hidden + i), a);
                }
                long at = (long)b * hidden + i;
                Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(h + at), Vector512<float>.Zero), a, Vector512<float>.Zero).Store(gh + at);
            }
    }

    /// <summary>gf[b, i] = Σ_j gh[b, j] w1[j, i]: four images and 64 inputs in 16 registers while j runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void InputGradient(float* gh, float* w1, float* gf, Shape shape)
    {
        for (int b0 = 0; b0 < shape.B; b0 += 4)
        {
            int real = Math.Min(4, shape.B - b0);
            for (int i = 0; i < shape.F; i += Block64.Channels)
            {
                Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
                Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
                for (int j = 0; j < shape.H; j++)
                {
                    float* w = w1 + (long)j * shape.F + i;
                    var w0 = Vector512.Load(w);
                    var w1v = Vector512.Load(w + Lanes);
                    var w2 = Vector512.Load(w + 2 * Lanes);
                    var w3 = Vector512.Load(w + 3 * Lanes);
                    var g0 = Vector512.Create(gh[(long)b0 * shape.H + j]);
                    var g1 = real > 1 ? Vector512.Create(gh[(long)(b0 + 1) * shape.H + j]) : default;
                    var g2 = real > 2 ? Vector512.Create(gh[(long)(b0 + 2) * shape.H + j]) : default;
                    var g3 = real > 3 ? Vector512.Create(gh[(long)(b0 + 3) * shape.H + j]) : default;
                    a00 = Vector512.FusedMultiplyAdd(g0, w0, a00); a01 = Vector512.FusedMultiplyAdd(g0, w1v, a01);
                    a02 = Vector512.FusedMultiplyAdd(g0, w2, a02); a03 = Vector512.FusedMultiplyAdd(g0, w3, a03);
                    a10 = Vector512.FusedMultiplyAdd(g1, w0, a10); a11 = Vector512.FusedMultiplyAdd(g1, w1v, a11);
                    a12 = Vector512.FusedMultiplyAdd(g1, w2, a12); a13 = Vector512.FusedMultiplyAdd(g1, w3, a13);
                    a20 = Vector512.FusedMultiplyAdd(g2, w0, a20); a21 = Vector512.FusedMultiplyAdd(g2, w1v, a21);
                    a22 = Vector512.FusedMultiplyAdd(g2, w2, a22); a23 = Vector512.FusedMultiplyAdd(g2, w3, a23);
                    a30 = Vector512.FusedMultiplyAdd(g3, w0, a30); a31 = Vector512.FusedMultiplyAdd(g3, w1v, a31);
                    a32 = Vector512.FusedMultiplyAdd(g3, w2, a32); a33 = Vector512.FusedMultiplyAdd(g3, w3, a33);
                }
                float* target = gf + (long)b0 * shape.F + i;
                Block64.Store(target, a00, a01, a02, a03);
                if (real > 1) Block64.Store(target + shape.F, a10, a11, a12, a13);
                if (real > 2) Block64.Store(target + 2 * shape.F, a20, a21, a22, a23);
                if (real > 3) Block64.Store(target + 3 * shape.F, a30, a31, a32, a33);
            }
        }
    }
}
