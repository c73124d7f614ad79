using Sbvae.Checkpoints;
using Sbvae.Engine;
using static TorchSharp.torch;

namespace Sbvae.Explorer;

/// <summary>
/// One trained model behind the page: its inference, one request at a time (TorchSharp modules are
/// not thread-safe), and its code over the dataset's sample, computed once at start-up: each
/// latent's mean KL, the order by it, and which latents are collapsed.
/// </summary>
public sealed class ExplorerModel : IDisposable
{
    /// <summary>A latent whose mean KL over the sample is below this many nats carries (almost) nothing.</summary>
    public const double CollapsedKl = 0.01;

    readonly TrainedModel model;
    readonly object gate = new();
    readonly int threads;
    /// <summary>libtorch's thread count belongs to each thread (see LibtorchThreads): set once per thread that decodes.</summary>
    [ThreadStatic] static int threadsHere;

    public int Latent => model.Latent;
    public int ImageSize => model.ImageSize;
    public string Name => model.Name;
    public string RunDir => model.Run.Dir;
    /// <summary>μ of every sample row, (S, k) row-major.</summary>
    public float[] SampleMu { get; }
    public double[] Kl { get; }
    /// <summary>Latent indices, largest KL first.</summary>
    public int[] Order { get; }
    public bool[] Collapsed { get; }

    /// <param name="data">Images of the model's size (the session checks).</param>
    public ExplorerModel(TrainedModel model, ExplorerData data, int threads)
    {
        this.model = model;
        this.threads = threads;
        int k = model.Latent, n = data.Sample.Length;
        SampleMu = new float[n * k];
        var logVar = new float[n * k];
        int batch = model.InferenceBatch;
        for (int start = 0; start < n; start += batch)
        {
            int b = Math.Min(batch, n - start);
            var (m, lv) = Encode(data.Batch(data.Sample.AsSpan(start, b)), b);
            m.CopyTo(SampleMu, start * k);
            lv.CopyTo(logVar, start * k);
        }
        Kl = MeanKl(SampleMu, logVar, k);
        Order = [.. Enumerable.Range(0, k).OrderByDescending(j => Kl[j]).ThenBy(j => j)];
        Collapsed = [.. Kl.Select(v => v < CollapsedKl)];
    }

    /// <summary>KL(q(z_j|x) ‖ N(0, 1)) = ½ (μ² + σ² − log σ² − 1), averaged over the rows, per latent.</summary>
    public static double[] MeanKl(float[] mu, float[] logVar, int k)
    {
        var kl = new double[k];
        int n = mu.Length / k;
        for (int i = 0; i < mu.Length; i++)
        {
            double m = mu[i], lv = logVar[i];
            kl[i % k] += 0.5 * (m * m + Math.Exp(lv) - lv - 1);
        }
        for (int j = 0; j < k; j++) kl[j] /= n;
        return kl;
    }

    /// <summary>μ and log σ² of <paramref name="count"/> images (B, 3, H, W), each (B, k) row-major.</summary>
    public (float[] Mu, float[] LogVar) Encode(float[] images, int count = 1) => Locked(() =>
    {
        using var scope = NewDisposeScope();
        var (mu, lv) = model.Inference.Encode(Input(images, count));
        return (mu.cpu().data<float>().ToArray(), lv.cpu().data<float>().ToArray());
    });

    /// <summary>μ_D(μ(x)) of one image, (3, H, W), not clamped.</summary>
    public float[] Reconstruct(float[] image) => Locked(() =>
    {
        using var scope = NewDisposeScope();
        return model.Inference.Reconstruct(Input(image, 1)).cpu().data<float>().ToArray();
    });

    /// <summary>μ_D(z) of one code of length k, (3, H, W), not clamped.</summary>
    public float[] Decode(float[] z) => Locked(() => model.Decode(z));

    Tensor Input(float[] images, int count) =>
        tensor(images, [count, 3, ImageSize, ImageSize]).to(model.Device);

    T Locked<T>(Func<T> work)
    {
        lock (gate)
        {
            if (threadsHere != threads) { LibtorchThreads.Set(threads); threadsHere = threads; }
            using var noGrad = no_grad();
            return work();
        }
    }

    public void Dispose() => model.Dispose();
}
