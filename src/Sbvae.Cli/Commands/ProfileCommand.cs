using System.CommandLine;
using System.Text.Json;
using Sbvae.Models;
using Sbvae.Diagnostics;
using Sbvae.Engine;
using Sbvae.Training;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae profile`: where a training step's time goes, layer by layer, in real training steps
/// of each decoder on the reference data, as `sbvae train` runs them; with --json, a file.
/// </summary>
public static class ProfileCommand
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var defaults = new ProfileOptions();
        var steps = new Option<int>("--steps") { Description = "Profiled training steps (means are reported)", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first", DefaultValueFactory = _ => defaults.Warmup };
        var batch = new Option<int>("--batch") { Description = "Batch size (reference 16)", DefaultValueFactory = _ => defaults.Batch };
        var decoder = new Option<string>("--decoder") { Description = "sbd, deconv or both", DefaultValueFactory = _ => "both" };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 or auto, as for train", DefaultValueFactory = _ => defaults.Precision };
        var threads = CommonOptions.Threads();
        var json = new Option<string?>("--json") { Description = "Also write the profiles to this JSON file" };
        var cmd = new Command("profile", "Show where a training step's time goes, layer by layer")
        {
            steps, warmup, batch, decoder, precision, threads, json,
        };
        cmd.SetAction(p =>
        {
            var options = new ProfileOptions
            {
                Steps = p.GetValue(steps),
                Warmup = p.GetValue(warmup),
                Batch = p.GetValue(batch),
                Threads = p.GetValue(threads),
                Precision = p.GetValue(precision)!,
            };
            options.Validate();
            string which = p.GetValue(decoder)!;
            DecoderKind[] decoders = which == "both" ? [DecoderKind.Sbd, DecoderKind.Deconv] : [ModelConfig.ParseDecoder(which)];
            string? jsonPath = p.GetValue(json);
            if (jsonPath is not null) CommonOptions.CheckOutputFile(jsonPath);
            var profiles = new List<StepProfile>();
            foreach (var d in decoders)
            {
                Console.Error.WriteLine($"profiling {ModelConfig.Name(d)}: {options.Warmup} warm-up and {options.Steps} profiled steps ...");
                var profile = StepProfile.Measure(d, options);
                profiles.Add(profile);
                Console.WriteLine(Format(profile, options.Batch));
                Console.WriteLine();
            }
            Console.WriteLine(Legend);
            if (jsonPath is not null)
                AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new { machine = MachineInfo.Describe(profiles[0].Threads), profiles }, Json) + "\n");
            return 0;
        });
        return cmd;
    }

    public static string Format(StepProfile r, int batch)
    {
        string how = r.Split
            ? $"batch {batch} in {r.Shares} shares of {r.ShareImages} images, one libtorch thread each"
            : $"batch {batch} on {r.Threads} libtorch thread{(r.Threads == 1 ? "" : "s")}";
        string others = r.OtherSharesMs.Count > 0
            ? $"  (other share{(r.OtherSharesMs.Count > 1 ? "s" : "")}: {string.Join(", ", r.OtherSharesMs.Select(m => $"{m:F1}"))} ms, "
              + $"starting {string.Join(", ", r.OtherSharesLateMs.Select(m => $"{m:F2}"))} ms later)"
            : "";
        double layerSum = r.Layers.Sum(l => l.TotalMs);
        var lines = new List<string>
        {
            $"{r.Decoder}, {r.Precision} path: {how}; means of {r.Steps} steps",
            $"  step                          {r.StepMs,7:F2} ms  = {r.ImagesPerSecond(batch):F0} images/s",
        };
        if (r.Split) lines.Add($"  batch and noise               {r.BatchMs,7:F2} ms");
        lines.Add($"  {(r.Split ? "share 0" : "batch")} forward and backward  {r.ShareMs,7:F2} ms{others}");
        if (r.Split) lines.Add($"  waiting for the other shares  {r.WaitMs,7:F2} ms");
        lines.Add($"  {(r.Split ? "gradient sum and Adam" : "Adam and loss readout")}         {r.UpdateMs,7:F2} ms");
        lines.Add("");
        lines.Add($"  {(r.Split ? "layer (share 0)" : "layer"),-32} {"forward",8} {"backward",9} {"total",7} {"share",6} {"GFLOP/s",8}");
        foreach (var l in r.Layers)
            lines.Add($"  {l.Layer,-32} {l.ForwardMs,8:F2} {l.BackwardMs,9:F2} {l.TotalMs,7:F2} {100 * l.TotalMs / r.ShareMs,5:F0}% {(l.Gflops > 0 ? $"{l.Gflops,8:F0}" : ""),8}");
        lines.Add($"  {"all layers",-32} {r.Layers.Sum(l => l.ForwardMs),8:F2} {r.Layers.Sum(l => l.BackwardMs),9:F2} {layerSum,7:F2} {100 * layerSum / r.ShareMs,5:F0}%");
        foreach (var l in r.Layers.Where(l => l.Includes.Count > 0))
            lines.Add($"  {l.Layer} includes {string.Join(" and ", l.Includes)} (one kernel computes them together)");
        return string.Join(Environment.NewLine, lines);
    }

    const string Legend =
        "Each layer is timed from its input to the next layer's input, so its relu, dtype casts and per-op overhead count with it;\n"
        + "backward is from the gradient reaching the next layer's input to reaching its own (weight and input gradients).\n"
        + "The layer names are the parameter names (SPEC §8); loss covers the reconstruction and KL terms.\n"
        + "GFLOP/s: the textbook arithmetic of the layer's forward and gradients for the share, per second of its time.\n"
        + "Stamping adds a little overhead per layer, so the step runs slightly slower than in `sbvae bench`.";
}
