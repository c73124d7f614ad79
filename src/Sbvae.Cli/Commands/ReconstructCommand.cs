using Sbvae.Engine;
using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Figures;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae reconstruct`: decoded μ of the chosen images (all of a dataset up to 100,000), and optionally a PNG of inputs over reconstructions.</summary>
public static class ReconstructCommand
{
    public static Command Create()
    {
        var run = CommonOptions.RunDir();
        var dataset = new DatasetOptions();
        var output = CommonOptions.Out("The .npz file to write (recon: float32 (N, 3, H, W), not clamped; indices: int64 (N), the rows reconstructed)");
        var png = new Option<string?>("--png") { Description = "Also write a PNG: inputs over their reconstructions" };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var selection = new RowSelection();
        var cmd = new Command("reconstruct", "Reconstruct a dataset with a trained model") { run, output, png, threads, device };
        dataset.AddTo(cmd);
        selection.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            string? pngPath = p.GetValue(png);
            if (pngPath is not null) CommonOptions.CheckOutputFile(pngPath);
            LibtorchThreads.Use(p.GetValue(threads));
            using var model = TrainedModel.Load(p.GetValue(run)!, p.GetValue(device)!);
            var data = model.OpenStore(dataset.Path(p), dataset.Folder(p, model.Config.Train));
            using var closes = data as IDisposable;
            long[] rows = selection.Rows(p, data);
            using var images = model.Images(data);
            float[] recon = model.Reconstruct(images, rows);
            int s = model.ImageSize;
            Npz.Write(outPath, new Dictionary<string, NpyArray>
            {
                ["recon"] = NpyArray.FromFloats(recon, [rows.Length, 3, s, s]),
                ["indices"] = NpyArray.FromInt64s(rows, [rows.Length]),
            });
            Console.WriteLine($"wrote reconstructions of {rows.Length} images to {outPath}");
            if (pngPath is not null)
            {
                var rng = new Random(0);
                int cols = Math.Min(8, rows.Length);
                // positions among the written rows
                var picks = Enumerable.Range(0, cols).Select(_ => rng.Next(rows.Length)).ToArray();
                int per = 3 * s * s;
                float[] pixels;
                using (var inputs = images.Batch([.. picks.Select(i => rows[i])])) pixels = inputs.cpu().data<float>().ToArray();
                var cells = picks.Select((_, j) => pixels.AsSpan(j * per, per).ToArray())
                    .Concat(picks.Select(i => recon.AsSpan(i * per, per).ToArray())).ToList();
                ImageGrid.SavePng(pngPath, cells, s, columns: cols, scale: s < 64 ? 2 : 1, rowLabels: ["input", "recons"]);
                Console.WriteLine($"wrote {pngPath}");
            }
            return 0;
        });
        return cmd;
    }
}
