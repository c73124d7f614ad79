using System.Diagnostics;
using Sbvae.Models;
using Sbvae.Training;
using static TorchSharp.torch;
using static TorchSharp.torch.utils.tensorboard;

namespace Sbvae.Runs;

/// <summary>
/// Writes a run's losses as TensorBoard event files in RUN_DIR/tensorboard/ (TorchSharp's SummaryWriter):
/// every <see cref="Every"/> steps the mean of each term over the steps since the last point (train/…,
/// per image, at the global step) and every epoch its averages (epoch/…, at the epoch's last global step),
/// each latent's KL (latent_kl/zI, mean over the first <see cref="Probe"/> images of the dataset), an image of the first 8
/// images above their reconstructions (reconstructions) and a traversal of the first image's code, one row
/// per latent (traversals).
/// A resumed run opens a new event file and logs only the steps after its checkpoint.
/// </summary>
public sealed class TensorBoardLog
{
    public const int DefaultEvery = 50;
    public const string Folder = "tensorboard";
    /// <summary>Images encoded at each epoch's end for the per-latent KL.</summary>
    public const int Probe = 256;

    readonly TorchSharp.Modules.SummaryWriter writer;
    readonly long after;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly Dictionary<string, double> sums = [];
    int images;

    public int Every { get; }

    /// <param name="runDir">The run folder; events go to its tensorboard/ subfolder.</param>
    /// <param name="every">Steps per train/ point.</param>
    /// <param name="afterStep">The global step already logged (the checkpoint's when resuming); earlier steps are not logged again.</param>
    public TensorBoardLog(string runDir, int every, long afterStep)
    {
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every));
        Every = every;
        after = afterStep;
        writer = SummaryWriter(Path.Combine(runDir, Folder));
    }

    public static string Dir(string runDir) => Path.Combine(runDir, Folder);

    public void Step(StepProgress p)
    {
        if (p.Batch is not { } b || p.GlobalStep <= after) return;
        Add("kl", b.Kl);
        Add("reconstruction", b.Reconstruction);
        Add("loss", b.Loss);
        foreach (var (name, value) in b.Terms) Add(name, value);
        images += p.BatchImages;
        if (p.GlobalStep % Every != 0) return;
        foreach (var (name, sum) in sums) Scalar($"train/{name}", sum / images, p.GlobalStep);
        Scalar("train/images_per_second", images / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), p.GlobalStep);
        sums.Clear();
        images = 0;
        clock.Restart();
    }

    public void Epoch(EpochRecord r, long globalStep)
    {
        if (globalStep <= after) return;
        Scalar("epoch/kl", r.Kl, globalStep);
        Scalar("epoch/reconstruction", r.Reconstruction, globalStep);
        Scalar("epoch/loss", r.Loss, globalStep);
        foreach (var (name, value) in r.Terms) Scalar($"epoch/{name}", value, globalStep);
        Scalar("epoch/images_per_second", r.ImagesPerSecond, globalStep);
        Scalar("epoch/epoch", r.Epoch, globalStep);
    }

    /// <summary>Each latent's KL and a reconstruction grid on the first images, with the model as it is now.</summary>
    public void Samples(Vae model, TrainingImages images, long globalStep)
    {
        if (globalStep <= after) return;
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        bool training = model.training;
        model.eval();
        try
        {
            int n = Math.Min(Probe, images.Count), shown = Math.Min(8, n);
            var dtype = model.parameters().First().dtype;
            var x = images.Range(0, n).to(dtype);
            var (mu, logVar) = model.Encoder.forward(x);
            var kl = (0.5 * (mu.square() + logVar.exp() - logVar - 1)).mean([0]).to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int i = 0; i < kl.Length; i++) Scalar($"latent_kl/z{i}", kl[i], globalStep);
            var top = x[..shown];
            var bottom = model.Decode(mu[..shown]).clamp(0, 1);
            long h = top.shape[2], w = top.shape[3];
            // (shown, 3, 2H, W) → (3, 2H, shown·W): originals above, reconstructions below
            var grid = cat([top, bottom], 2).permute(1, 2, 0, 3).reshape(3, 2 * h, shown * w).to(ScalarType.Float32).cpu();
            writer.add_img("reconstructions", grid, checked((int)globalStep));
            writer.add_img("traversals", Traversals(model, mu[0], h, w), checked((int)globalStep));
        }
        finally
        {
            model.train(training);
        }
    }

    /// <summary>The values each latent takes in the traversal image, as the traversal figure sweeps them.</summary>
    static readonly float[] Sweep = [-2f, -1.33f, -0.67f, 0f, 0.67f, 1.33f, 2f];

    /// <summary>One row per latent: the first image's μ with that latent set to each <see cref="Sweep"/> value, decoded: (3, k·H, 7·W).</summary>
    static Tensor Traversals(Vae model, Tensor mu0, long h, long w)
    {
        int k = (int)mu0.shape[0], n = Sweep.Length;
        var codes = mu0.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var all = new float[k * n * k];
        for (int d = 0; d < k; d++)
            for (int s = 0; s < n; s++)
            {
                codes.CopyTo(all, (d * n + s) * k);
                all[(d * n + s) * k + d] = Sweep[s];
            }
        var z = tensor(all, [k * n, k]).to(mu0.dtype);
        var decoded = model.Decode(z).clamp(0, 1);
        // (k·7, 3, H, W) → (k, 7, 3, H, W) → (3, k, H, 7, W) → (3, k·H, 7·W)
        return decoded.reshape(k, n, 3, h, w).permute(2, 0, 3, 1, 4).reshape(3, k * h, n * w).to(ScalarType.Float32).cpu();
    }

    void Add(string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;

    void Scalar(string tag, double value, long step) =>
        writer.add_scalar(tag, (float)value, checked((int)step), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
}
