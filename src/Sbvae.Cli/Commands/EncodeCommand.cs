using Sbvae.Engine;
using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae encode`: μ and log σ² of every image, in dataset order.</summary>
public static class EncodeCommand
{
    public static Command Create()
    {
        var run = CommonOptions.RunDir();
        var dataset = new DatasetOptions();
        var output = CommonOptions.Out("The .npz file to write (mu, logvar: float32 (N, k); factors: int64 (N, F))");
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var cmd = new Command("encode", "Encode a dataset with a trained model") { run, output, threads, device };
        dataset.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            LibtorchThreads.Use(p.GetValue(threads));
            using var model = TrainedModel.Load(p.GetValue(run)!, p.GetValue(device)!);
            var data = model.LoadDataset(dataset.Path(p), dataset.Folder(p, model.Config.Train));
            using var images = model.Images(data);
            var (mu, logVar) = model.Encode(images);
            int[] shape = [data.Count, model.Latent];
            Npz.Write(outPath, new Dictionary<string, NpyArray>
            {
                ["mu"] = NpyArray.FromFloats(mu, shape),
                ["logvar"] = NpyArray.FromFloats(logVar, shape),
                // the ground truth beside the codes, so `evaluate --codes` reads this file as it is
                ["factors"] = NpyArray.FromInt64s(data.FactorClasses, [data.Count, data.NumFactors]),
            });
            Console.WriteLine($"wrote mu and logvar of {data.Count} images (k = {model.Latent}) to {outPath}");
            return 0;
        });
        return cmd;
    }
}
