using Sbvae.Data;
using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Checkpoints;

/// <summary>
/// A trained VAE loaded from a run folder, in evaluation mode, with batched helpers that
/// take and return plain arrays: what encode, reconstruct, figures and metrics need.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    public Vae Model { get; }
    /// <summary>The model's inference pass on its device (<see cref="Engines.ForInference"/>).</summary>
    public IInference Inference { get; }
    public RunConfig Config { get; }
    public RunFolder Run { get; }
    public TrainingState State { get; }
    public Device Device { get; }
    public int Latent => Config.Model.Latent;
    public int ImageSize => Config.Model.ImageSize;
    public string Name => ModelConfig.Name(Config.Model.Decoder);

    /// <summary>
    /// Images per inference batch: 16 at 64×64, fewer for larger images. A batch's largest activation must stay under
    /// the 32 MB up to which <see cref="NativeAllocator"/> keeps freed buffers mapped; above it every layer maps fresh
    /// pages (the spatial broadcast decoder's 64 channels at 64×64 pass it at 32 images and reconstruct 8× slower).
    /// </summary>
    public int InferenceBatch => Math.Max(1, 16 * 64 * 64 / (ImageSize * ImageSize));

    TrainedModel(Vae model, RunConfig config, RunFolder run, TrainingState state, Device device)
    {
        Model = model; Config = config; Run = run; State = state; Device = device;
        Inference = Engines.ForInference(model);
    }

    public static TrainedModel Load(string runDir, string device = "cpu")
    {
        var run = RunFolder.Open(runDir);
        var checkpoint = run.LoadCheckpoint();
        var dev = Devices.Resolve(device);
        var model = new Vae(checkpoint.Config.Model);
        model.to(dev);
        checkpoint.LoadInto(model);
        model.eval();
        return new TrainedModel(model, checkpoint.Config, run, checkpoint.State, dev);
    }

    /// <summary>The dataset the run was trained on (or the reference one), or the one given; a folder read as <paramref name="folder"/> says (default: as the run read it).</summary>
    public ImageDataset LoadDataset(string? path = null, ImageFolderSettings? folder = null)
    {
        path ??= Config.Train.Dataset;
        var data = ImageDataset.LoadOrReference(path, folder ?? Config.Train.FolderSettings());
        CheckDataset(data);
        return data;
    }

    /// <summary>
    /// The images the run was trained on (or the reference set), or those given, as a store: a large
    /// file is read as needed, never whole. Dispose it when it is <see cref="IDisposable"/>.
    /// </summary>
    public IImageStore OpenStore(string? path = null, ImageFolderSettings? folder = null)
    {
        var store = DatasetStores.Open(path ?? Config.Train.Dataset, folder: folder ?? Config.Train.FolderSettings());
        try { CheckDataset(store); }
        catch { (store as IDisposable)?.Dispose(); throw; }
        return store;
    }

    public void CheckDataset(IImageStore data)
    {
        if (data.Height != ImageSize)
            throw new SbvaeException($"the dataset has {data.Height}-pixel images but the model in '{Run.Dir}' expects {ImageSize}");
    }

    /// <summary>μ and log σ² of every image, in dataset order; each (N, k) row-major.</summary>
    public (float[] Mu, float[] LogVar) Encode(TrainingImages images) => Encode(images, AllRows(images));

    /// <summary>μ and log σ² of the images at <paramref name="rows"/>, in that order; each (rows, k) row-major.</summary>
    public (float[] Mu, float[] LogVar) Encode(TrainingImages images, long[] rows)
    {
        int batch = InferenceBatch;
        var mu = new float[rows.LongLength * Latent];
        var logVar = new float[mu.Length];
        using var noGrad = no_grad();
        for (int start = 0; start < rows.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, rows.Length - start);
            var (m, lv) = Inference.Encode(images.Batch(rows[start..(start + n)]));
            m.cpu().data<float>().CopyTo(mu, start * Latent);
            lv.cpu().data<float>().CopyTo(logVar, start * Latent);
        }
        return (mu, logVar);
    }

    /// <summary>Decodes μ for every image (not clamped); (N, 3, H, W) row-major.</summary>
    public float[] Reconstruct(TrainingImages images) => Reconstruct(images, AllRows(images));

    /// <summary>Decodes μ for the images at <paramref name="rows"/> (not clamped); (rows, 3, H, W) row-major.</summary>
    public float[] Reconstruct(TrainingImages images, long[] rows)
    {
        int batch = InferenceBatch;
        long per = 3L * ImageSize * ImageSize;
        if (rows.LongLength * per > Array.MaxLength)
            throw new SbvaeException($"the reconstructions of {rows.Length:N0} images are {rows.LongLength * per * 4 / 1e9:F1} GB, more than one array holds; pass --count or --indices");
        var recon = new float[rows.LongLength * per];
        using var noGrad = no_grad();
        for (int start = 0; start < rows.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, rows.Length - start);
            Inference.Reconstruct(images.Batch(rows[start..(start + n)])).cpu().data<float>().CopyTo(recon, (int)(start * per));
        }
        return recon;
    }

    static long[] AllRows(TrainingImages images)
    {
        var rows = new long[images.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = i;
        return rows;
    }

    /// <summary>Decodes codes (n, k) row-major to images (n, 3, H, W) row-major.</summary>
    public float[] Decode(float[] codes)
    {
        int n = codes.Length / Latent;
        long per = 3L * ImageSize * ImageSize;
        var images = new float[n * per];
        using var noGrad = no_grad();
        for (int start = 0; start < n; start += InferenceBatch)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(InferenceBatch, n - start);
            var z = tensor(codes.AsSpan(start * Latent, b * Latent).ToArray(), [b, Latent]).to(Device);
            Inference.Decode(z).cpu().data<float>().CopyTo(images, (int)(start * per));
        }
        return images;
    }

    public TrainingImages Images(IImageStore data)
    {
        CheckDataset(data);
        return TrainingImages.From(data, Device);
    }

    public void Dispose() => Model.Dispose();
}
