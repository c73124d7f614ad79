using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// The batch loss mean(reconstruction + β·KL) of SPEC §4 from the images, the decoder's means and
/// the posterior's μ and log σ², as one hand-written pass each way in fp32, instead of some twenty
/// small libtorch ops and their autograd nodes. The per-image terms come out beside the loss, for
/// reporting only (no gradient flows through them). The images need no gradient.
/// </summary>
internal sealed class GaussianLoss : autograd.SingleTensorFunction<GaussianLoss>
{
    const int Lanes = Block64.Lanes;
    static readonly GradientHandoff Handoff = new();

    public override string Name => nameof(GaussianLoss);

    /// <summary>Whether the kernel computes the loss of these tensors: CPU fp32, images and means contiguous and alike.</summary>
    public static bool Handles(Tensor x, Tensor xHat, Tensor mu, Tensor logVar) =>
        Vector512.IsHardwareAccelerated && new[] { x, xHat, mu, logVar }.All(t => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32)
        && !x.requires_grad && x.is_contiguous() && xHat.is_contiguous() && x.shape.SequenceEqual(xHat.shape) && x.dim() >= 2
        && mu.dim() == 2 && mu.shape.SequenceEqual(logVar.shape) && mu.shape[0] == x.shape[0] && mu.stride(1) == 1 && logVar.stride(1) == 1;

    /// <summary>Per-image reconstruction and KL terms (B) and the batch loss (a scalar, the only one with gradients).</summary>
    public static (Tensor Reconstruction, Tensor Kl, Tensor Loss) Apply(Tensor x, Tensor xHat, Tensor mu, Tensor logVar, double variance, double beta)
    {
        var terms = empty([2, x.shape[0]], ScalarType.Float32);
        var loss = apply(x, xHat, mu, logVar, terms, variance, beta);
        return (terms[0], terms[1], loss);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, xHat, mu, logVar, terms) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        double variance = (double)vars[5], beta = (double)vars[6];
        int images = (int)x.shape[0], pixels = (int)(x.numel() / images), latents = (int)mu.shape[1];
        long muRow = mu.stride(0), logVarRow = logVar.stride(0); // μ and log σ² may be column slices of one tensor
        double total = 0;
        unsafe
        {
            float* xp = TensorMemory.Pointer<float>(x), hp = TensorMemory.Pointer<float>(xHat), t = TensorMemory.Pointer<float>(terms);
            float* m = TensorMemory.Pointer<float>(mu), v = TensorMemory.Pointer<float>(logVar);
            for (int b = 0; b < images; b++)
            {
                float recon = (float)(SquaredDistance(xp + (long)b * pixels, hp + (long)b * pixels, pixels) / (2 * variance));
                float kl = 0;
                for (int j = 0; j < latents; j++)
                {
                    float lv = v[b * logVarRow + j], mj = m[b * muRow + j];
                    kl += 1 + lv - mj * mj - MathF.Exp(lv);
                }
                kl *= -0.5f;
                (t[b], t[images + b]) = (recon, kl);
                total += recon + beta * kl;
            }
        }
        ctx.save_for_backward([x.detach(), xHat.detach(), mu.detach(), logVar.detach()]);
        ctx.save_data("variance", variance);
        ctx.save_data("beta", beta);
        return tensor((float)(total / images));
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (x, xHat, mu, logVar) = (saved[0], saved[1], saved[2], saved[3]);
        double variance = (double)ctx.get_data("variance"), beta = (double)ctx.get_data("beta");
        int images = (int)x.shape[0];
        float scale = gradOutput.to(ScalarType.Float32).item<float>() / images; // the mean over images
        var gradXHat = empty(xHat.shape, ScalarType.Float32);
        var gradMu = empty(mu.shape, ScalarType.Float32);
        var gradLogVar = empty(logVar.shape, ScalarType.Float32);
        int latents = (int)mu.shape[1];
        long muRow = mu.stride(0), logVarRow = logVar.stride(0);
        unsafe
        {
            // d/dx̂ of (x − x̂)²/(2σ²) is (x̂ − x)/σ²; d/dμ of the KL is μ, d/dlog σ² is ½(σ² − 1).
            Difference(TensorMemory.Pointer<float>(xHat), TensorMemory.Pointer<float>(x), (float)(scale / variance), TensorMemory.Pointer<float>(gradXHat), xHat.numel());
            float* m = TensorMemory.Pointer<float>(mu), v = TensorMemory.Pointer<float>(logVar);
            float* gm = TensorMemory.Pointer<float>(gradMu), gv = TensorMemory.Pointer<float>(gradLogVar);
            float klScale = (float)(scale * beta);
            for (int b = 0; b < images; b++)
                for (int j = 0; j < latents; j++)
                {
                    gm[b * latents + j] = klScale * m[b * muRow + j];
                    gv[b * latents + j] = klScale * 0.5f * (MathF.Exp(v[b * logVarRow + j]) - 1);
                }
        }
        return Handoff.Hand([null!, gradXHat, gradMu, gradLogVar, null!, null!, null!]);
    }

    /// <summary>Σ (a − b)², summed 1024 values at a time and then the partial sums (in double), which keeps a long sum's error near a short one's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe double SquaredDistance(float* a, float* b, int count)
    {
        const int Chunk = 1024;
        double total = 0;
        for (int start = 0; start < count; start += Chunk)
        {
            int end = Math.Min(count, start + Chunk), i = start;
            Vector512<float> s0 = default, s1 = default;
            for (; i + 2 * Lanes <= end; i += 2 * Lanes)
            {
                var d0 = Vector512.Load(a + i) - Vector512.Load(b + i);
                var d1 = Vector512.Load(a + i + Lanes) - Vector512.Load(b + i + Lanes);
                s0 = Vector512.FusedMultiplyAdd(d0, d0, s0);
                s1 = Vector512.FusedMultiplyAdd(d1, d1, s1);
            }
            float partial = Vector512.Sum(s0 + s1);
            for (; i < end; i++) partial += (a[i] - b[i]) * (a[i] - b[i]);
            total += partial;
        }
        return total;
    }

    /// <summary>target = scale · (a − b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Difference(float* a, float* b, float scale, float* target, long count)
    {
        var s = Vector512.Create(scale);
        long i = 0;
        for (; i + Lanes <= count; i += Lanes) (s * (Vector512.Load(a + i) - Vector512.Load(b + i))).Store(target + i);
        for (; i < count; i++) target[i] = scale * (a[i] - b[i]);
    }
}
