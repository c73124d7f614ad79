using Sbvae.Checkpoints;
using Sbvae.Data;

namespace Sbvae.Explorer;

/// <summary>
/// What the explorer serves: one or two trained models and the dataset they are shown on, all
/// loaded and checked before any port is bound, so that a bad run folder or dataset is refused
/// with the usual one-line error.
/// </summary>
public sealed class ExplorerSession : IDisposable
{
    public ExplorerData Data { get; }
    public IReadOnlyList<ExplorerModel> Models { get; }

    ExplorerSession(ExplorerData data, IReadOnlyList<ExplorerModel> models) { Data = data; Models = models; }

    /// <param name="dataset">An .npz, the dSprites file or an image folder; null: the first run's own dataset.</param>
    /// <param name="threads">libtorch threads per decoding request (0 = one per core).</param>
    /// <param name="note">Told what start-up is doing while it encodes the sample (tens of seconds on a large one).</param>
    /// <param name="folder">How a folder of images is read, given the first run's training settings (default: as it was trained).</param>
    public static ExplorerSession Open(IReadOnlyList<string> runDirs, string? dataset, string device = "cpu", int threads = 0,
                                       int maxSample = ExplorerData.MaxSample, Action<string>? note = null,
                                       Func<Training.TrainConfig, ImageFolderSettings>? folder = null)
    {
        if (runDirs.Count is < 1 or > 2) throw new SbvaeException($"give one or two run folders, not {runDirs.Count}");
        var loaded = new List<TrainedModel>();
        try
        {
            foreach (var dir in runDirs) loaded.Add(TrainedModel.Load(dir, device));
            if (loaded.Count == 2 && loaded[0].ImageSize != loaded[1].ImageSize)
                throw new SbvaeException($"the runs have different image sizes ({loaded[0].ImageSize} in '{runDirs[0]}', {loaded[1].ImageSize} in '{runDirs[1]}'); they cannot share an input");
            var train = loaded[0].Config.Train;
            var store = DatasetStores.Open(dataset ?? train.Dataset, folder: folder?.Invoke(train) ?? train.FolderSettings());
            foreach (var m in loaded) m.CheckDataset(store);
            var data = new ExplorerData(store, maxSample);
            int n = threads > 0 ? threads : Environment.ProcessorCount;
            var models = new List<ExplorerModel>();
            foreach (var m in loaded)
            {
                note?.Invoke($"explorer: encoding {data.Sample.Length} images with {m.Name} for each latent's KL and the scatter plot …");
                models.Add(new ExplorerModel(m, data, n));
            }
            return new ExplorerSession(data, models);
        }
        catch
        {
            foreach (var m in loaded) m.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
    }
}
