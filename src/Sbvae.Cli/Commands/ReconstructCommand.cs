using Sbvae.Engine;
using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Figures;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae reconstruct`: decoded μ of every image, and optionally a PNG of inputs over reconstructions.</summary>
public static class ReconstructCommand
{
    public static Command Create()
    {
        var run = CommonOptions.RunDir();
        var dataset = new DatasetOptions();
        var output = CommonOptions.Out("The .npz file to write (recon: float32 (N, 3, H, W), not clamped)");
        var png = new Option<string?>("--png") { Description = "Also write a PNG: inputs over their reconstructions" };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var cmd = new Command("reconstruct", "Reconstruct a dataset with a trained model") { run, output, png, threads, device };
        dataset.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            string? pngPath = p.GetValue(png);
            if (pngPath is not null) CommonOptions.CheckOutputFile(pngPath);
            LibtorchThreads.Use(p.GetValue(threads));
            using var model = TrainedModel.Load(p.GetValue(run)!, p.GetValue(device)!);
            var data = model.LoadDataset(dataset.Path(p), dataset.Folder(p, model.Config.Train));
            using var images = model.Images(data);
            float[] recon = model.Reconstruct(images);
            int s = model.ImageSize;
            Npz.Write(outPath, new Dictionary<string, NpyArray> { ["recon"] = NpyArray.FromFloats(recon, [data.Count, 3, s, s]) });
            Console.WriteLine($"wrote reconstructions of {data.Count} images to {outPath}");
            if (pngPath is not null)
            {
                var rng = new Random(0);
                int cols = Math.Min(8, data.Count);
                var picks = Enumerable.Range(0, cols).Select(_ => rng.Next(data.Count)).ToArray();
                int per = 3 * s * s;
                var cells = picks.Select(i => DatasetImages.Chw(data, i))
                    .Concat(picks.Select(i => recon.AsSpan(i * per, per).ToArray())).ToList();
                ImageGrid.SavePng(pngPath, cells, s, columns: cols, scale: s < 64 ? 2 : 1, rowLabels: ["input", "recons"]);
                Console.WriteLine($"wrote {pngPath}");
            }
            return 0;
        });
        return cmd;
    }
}
