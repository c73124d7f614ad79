using Sbvae.Engine;
using System.CommandLine;
using Sbvae.Checkpoints;
using Sbvae.Reports;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae figures`: every figure of SPEC §6 for one run or two runs side by side.</summary>
public static class FiguresCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("RUN_DIR") { Description = "One or two run folders", Arity = new ArgumentArity(1, 2) };
        var dataset = new DatasetOptions();
        var output = CommonOptions.Out("Folder for the PNG and GIF files");
        var seed = new Option<int>("--seed") { Description = "Chooses the sample images", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var cmd = new Command("figures", "Draw loss curves, reconstructions with traversals, latent geometry and animations") { runs, output, seed, threads };
        dataset.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string dir = p.GetValue(output)!;
            if (File.Exists(dir)) throw new SbvaeException($"'{dir}' is a file, not a folder");
            LibtorchThreads.Use(p.GetValue(threads));
            var models = new List<TrainedModel>();
            try
            {
                foreach (var r in p.GetValue(runs)!) models.Add(TrainedModel.Load(r));
                if (models.Count == 2 && models[0].ImageSize != models[1].ImageSize)
                    throw new SbvaeException($"the runs do not match: {models[0].ImageSize}-pixel and {models[1].ImageSize}-pixel images");
                var data = models[0].OpenStore(dataset.Path(p), dataset.Folder(p, models[0].Config.Train));
                using var closes = data as IDisposable;
                foreach (var m in models.Skip(1)) m.CheckDataset(data);
                var files = FigureSet.Draw(models, data, dir, p.GetValue(seed));
                if (files.LossCurves is null) Console.WriteLine("no loss curves: the runs have no training history (imported weights)");
                if (files.Geometry is null) Console.WriteLine(FigureSet.NoGeometry);
                foreach (var f in new[] { files.LossCurves, files.Traversals, files.Geometry }.Concat(files.Animations).OfType<string>())
                    Console.WriteLine($"wrote {f}");
                foreach (var (model, r2) in files.GeometryR2)
                    Console.WriteLine($"geometry affine R² ({model}): {r2:F3}");
                return 0;
            }
            finally
            {
                foreach (var m in models) m.Dispose();
            }
        });
        return cmd;
    }
}
