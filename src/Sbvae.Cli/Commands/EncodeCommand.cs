using Sbvae.Engine;
using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae encode`: μ and log σ² of the chosen images (all of a dataset up to 100,000), in the order chosen.</summary>
public static class EncodeCommand
{
    public static Command Create()
    {
        var run = CommonOptions.RunDir();
        var dataset = new DatasetOptions();
        var output = CommonOptions.Out("The .npz file to write (mu, logvar: float32 (N, k); factors: int64 (N, F); indices: int64 (N), the rows encoded)");
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var selection = new RowSelection();
        var cmd = new Command("encode", "Encode a dataset with a trained model") { run, output, threads, device };
        dataset.AddTo(cmd);
        selection.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            LibtorchThreads.Use(p.GetValue(threads));
            using var model = TrainedModel.Load(p.GetValue(run)!, p.GetValue(device)!);
            var data = model.OpenStore(dataset.Path(p), dataset.Folder(p, model.Config.Train));
            using var closes = data as IDisposable;
            long[] rows = selection.Rows(p, data);
            using var images = model.Images(data);
            var (mu, logVar) = model.Encode(images, rows);
            int[] shape = [rows.Length, model.Latent];
            int f = data.FactorNames.Count;
            Npz.Write(outPath, new Dictionary<string, NpyArray>
            {
                ["mu"] = NpyArray.FromFloats(mu, shape),
                ["logvar"] = NpyArray.FromFloats(logVar, shape),
                // the ground truth beside the codes, so `evaluate --codes` reads this file as it is
                ["factors"] = NpyArray.FromInt64s(Factors(data, rows), [rows.Length, f]),
                ["indices"] = NpyArray.FromInt64s(rows, [rows.Length]),
            });
            Console.WriteLine($"wrote mu and logvar of {rows.Length} images (k = {model.Latent}) to {outPath}");
            return 0;
        });
        return cmd;
    }

    static long[] Factors(IImageStore data, long[] rows)
    {
        int f = data.FactorNames.Count;
        var all = new long[rows.LongLength * f];
        var one = new int[f];
        for (int i = 0; i < rows.Length; i++)
        {
            data.ClassesOf((int)rows[i], one);
            for (int j = 0; j < f; j++) all[(long)i * f + j] = one[j];
        }
        return all;
    }
}
