using Sbvae.Engine;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Data;
using Sbvae.Evaluation;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae evaluate`: disentanglement metrics of a trained run or of any codes (SPEC §7).</summary>
public static class EvaluateCommand
{
    /// <summary>Images of a store over <see cref="StoreRows.Large"/> that evaluate's mse decodes.</summary>
    public const int MseSample = 10_000;

    public static Command Create()
    {
        var run = new Argument<string?>("RUN_DIR") { Description = "A run folder (or use --codes)", Arity = ArgumentArity.ZeroOrOne };
        var codes = new Option<string?>("--codes") { Description = "An .npz with codes (or mu) float (N, k) and factors int (N, F), e.g. from sbvae encode, instead of a run; or an .npy of codes (with --factors) or a .csv (with --factor-columns)" };
        var factorsFile = new Option<string?>("--factors") { Description = "With --codes FILE.npy: an .npy of factors int (N, F)" };
        var factorColumns = new Option<string?>("--factor-columns") { Description = "With --codes FILE.csv: comma-separated names of the factor columns; every other column is a code" };
        var dataset = new DatasetOptions();
        var metrics = new Option<string>("--metrics") { Description = "Comma-separated: mig,dci,factorvae,sap,betavae,geometry", DefaultValueFactory = _ => "mig,dci,factorvae,sap,betavae,geometry" };
        var seed = new Option<int>("--seed") { Description = "Seed of the factor sampling", DefaultValueFactory = _ => 0 };
        var allPoints = new Option<bool>("--all-points") { Description = "With --codes: MIG, SAP and DCI use every row once, in order, instead of sampling" };
        var samples = new Option<double>("--samples") { Description = "Scale of the sample sizes (1 = 10,000 / 5,000 as disentanglement_lib)", DefaultValueFactory = _ => 1.0 };
        var output = CommonOptions.Out("The metrics.json to write");
        var threads = CommonOptions.Threads();
        var cmd = new Command("evaluate", "Disentanglement metrics: MIG, DCI, FactorVAE, SAP, BetaVAE, geometry R²")
        {
            run, codes, factorsFile, factorColumns, metrics, seed, allPoints, samples, output, threads,
        };
        dataset.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            var names = MetricSuite.Parse(p.GetValue(metrics)!);
            double scale = p.GetValue(samples);
            if (!(scale > 0 && scale <= 10)) throw new SbvaeException($"--samples must be in (0, 10], got {scale}");
            var sizes = new MetricSizes().Scaled(scale);
            int s = p.GetValue(seed);
            Dictionary<string, double> scores;
            string source;
            if (p.GetValue(codes) is string codesPath)
            {
                if (p.GetValue(run) is not null) throw new SbvaeException("give either RUN_DIR or --codes, not both");
                if (names.Contains("geometry")) names = names.Where(n => n != "geometry").ToList();
                var columns = p.GetValue(factorColumns) is string cols
                    ? cols.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    : null;
                if (columns is { Length: 0 }) throw new SbvaeException("--factor-columns names no column");
                var (c, f) = CodesFile.Read(codesPath, p.GetValue(factorsFile), columns);
                scores = p.GetValue(allPoints)
                    ? MetricSuite.AllPoints(c, f, names, sizes)
                    : EvaluateCodes(c, f, names, s, sizes);
                source = Path.GetFullPath(codesPath);
            }
            else
            {
                string dir = p.GetValue(run) ?? throw new SbvaeException("give a RUN_DIR or --codes FILE.npz");
                if (p.GetValue(allPoints)) throw new SbvaeException("--all-points goes with --codes");
                if (p.GetValue(factorsFile) is not null || p.GetValue(factorColumns) is not null)
                    throw new SbvaeException("--factors and --factor-columns go with --codes");
                LibtorchThreads.Use(p.GetValue(threads));
                using var model = TrainedModel.Load(dir);
                var data = model.OpenStore(dataset.Path(p), dataset.Folder(p, model.Config.Train));
                using var closes = data as IDisposable;
                Action<string> note = n => Console.Error.WriteLine($"sbvae: note: {n}");
                // A full-size store takes minutes: say which score is being computed and how long it has been.
                var clock = Stopwatch.StartNew();
                Action<string> starting = n => Console.Error.WriteLine($"sbvae: {n}… ({clock.Elapsed.TotalSeconds:F0} s)");
                scores = ModelEvaluation.Evaluate(model, data, names, s, sizes, note, starting);
                // Not a disentanglement metric, but how well the model reconstructs, comparable across likelihoods.
                // A large store's mean comes from a sample: decoding all of it would take longer than every metric together.
                if (data.Count > StoreRows.Large) note($"mse on a seeded sample of {MseSample:N0} of the {data.Count:N0} images");
                var rows = data.Count > StoreRows.Large ? StoreRows.Sample(data.Count, MseSample, s) : StoreRows.Sample(data.Count, data.Count, s);
                starting("mse");
                scores["mse"] = ReconstructionError.MeanSquaredError(model, data, [.. rows.Select(i => (long)i)]);
                source = Path.GetFullPath(dir);
            }
            var doc = new Dictionary<string, object>
            {
                ["source"] = source,
                ["seed"] = s,
                ["sizes"] = sizes,
                ["metrics"] = scores,
            };
            AtomicFile.WriteAllText(outPath, JsonSerializer.Serialize(doc, RunConfig.Json) + "\n");
            foreach (var (name, value) in scores) Console.WriteLine(name == "mse" ? $"{name,-22} {value:G4}" : $"{name,-22} {value:F4}");
            Console.WriteLine($"wrote {outPath}");
            return 0;
        });
        return cmd;
    }

    static Dictionary<string, double> EvaluateCodes(float[][] codes, int[][] factors, IReadOnlyList<string> names, int seed, MetricSizes sizes)
    {
        var truth = new InMemoryGroundTruth(factors);
        return MetricSuite.Sampled(truth, MetricSuite.Lookup(truth, codes), names, seed, sizes);
    }
}
