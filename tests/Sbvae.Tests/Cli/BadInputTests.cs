using Sbvae.Data;
using Sbvae.Models;
using Sbvae.Sweeps;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.CliTests;

/// <summary>
/// Every command, fed bad input: a one-line message naming the problem, exit code 2, no stack
/// trace, and nothing already on disk changed.
/// </summary>
public class BadInputTests
{
    sealed class Fixture
    {
        public readonly string Root = TestData.TempDir("badinput");
        public string Run => Path.Combine(Root, "run");
        public string Data16 => Path.Combine(Root, "tiny16.npz");
        public string Data32 => Path.Combine(Root, "tiny32.npz");
        public string Existing => Path.Combine(Root, "existing.npz");
        public string TextFile => Path.Combine(Root, "notes.txt");
        public string NoRun => Path.Combine(Root, "empty-dir");
        public string Codes => Path.Combine(Root, "codes-bad.npz");
        public string NoImgs => Path.Combine(Root, "no-imgs.npz");
        public string Plan => Path.Combine(Root, "plan.json");
        public string Sweep => Path.Combine(Root, "sweep");

        public Fixture()
        {
            var tiny = TestData.Tiny();
            tiny.Save(Data16);
            SpriteGenerator.Generate(new SpriteSpec { NumPos = 3, Shapes = ["square"], Sizes = [8], Colors = ["red"], ImgSize = 32 }).Save(Data32);
            File.WriteAllText(TextFile, "not an npz");
            File.WriteAllBytes(Existing, [1, 2, 3]);
            Directory.CreateDirectory(NoRun);
            Npz.Write(Codes, new Dictionary<string, NpyArray> { ["codes"] = NpyArray.FromFloats(new float[12], [3, 2, 2]), ["factors"] = NpyArray.FromInt64s(new long[3], [3, 1]) });
            Npz.Write(NoImgs, new Dictionary<string, NpyArray> { ["latents_values"] = NpyArray.FromDoubles(new double[2], [2, 1]) });
            File.WriteAllText(Plan, """{"base": {"epochs": 1, "dataset": "tiny16.npz"}, "axes": {"seed": [0, 1]}}""");
            File.WriteAllText(Path.Combine(Root, "plan-unknown.json"), """{"base": {"epochs": 1, "speed": 3}}""");
            // 16-pixel images with a shape factor only: no position, no colour
            new ImageDataset(4, 16, 16, 3, new byte[4 * 16 * 16 * 3], ["shape"], [0, 1, 0, 1], [0, 1, 0, 1]).Save(Path.Combine(Root, "nopos.npz"));
            File.WriteAllText(Path.Combine(Root, "plan-both.json"), """{"base": {"epochs": 1, "dataset": "tiny16.npz"}, "axes": {"steps": [3, 5]}}""");
            File.WriteAllText(Path.Combine(Root, "plan-bad.json"), """{"axes": {"beta": [1, -1]}}""");
            File.WriteAllText(Path.Combine(Root, "plan-nodata.json"), """{"base": {"dataset": "nope.npz"}}""");
            File.WriteAllText(Path.Combine(Root, "plan-other.json"), """{"base": {"epochs": 2, "dataset": "tiny16.npz"}, "axes": {"seed": [0, 1]}}""");
            Directory.CreateDirectory(Path.Combine(Root, "clash.csv"));
            SweepRunner.Prepare(Sweep, SweepPlan.Load(Plan));
            TrainingSession.Start(Run, new RunConfig(new ModelConfig { Latent = 3, ImageSize = 16 },
                new TrainConfig { Epochs = 1, Batch = 16, Threads = 1, Dataset = Data16 }), tiny);
        }
    }

    static readonly Lazy<Fixture> Shared = new(() => new Fixture());

    public static IEnumerable<object[]> Cases()
    {
        // each case: a name, then args with {run} {data16} {data32} {existing} {text} {norun} {codes} {noimgs} {root} placeholders, then a word the message must contain
        yield return ["no command args", "train --decoder sbd", "--out"];
        yield return ["experiment unknown", "experiment colour --out {root}/e", "colour"];
        yield return ["experiment bad region", "experiment heldout --region 0.5,0.2,0,1 --dataset {data16} --out {root}/e", "region"];
        yield return ["experiment region short", "experiment heldout --region 0.5,0.6 --dataset {data16} --out {root}/e", "x0,x1,y0,y1"];
        yield return ["experiment empty region", "experiment heldout --region 0.01,0.02,0.01,0.02 --dataset {data16} --out {root}/e", "held-out region"];
        yield return ["experiment strength", "experiment dependent --strength 2 --dataset {data16} --out {root}/e", "strength"];
        yield return ["experiment small dataset", "experiment small --dataset {data16} --out {root}/e", "--dataset"];
        yield return ["experiment heldout without position", "experiment heldout --dataset {root}/nopos.npz --out {root}/e", "needs the factors x, y; the dataset lacks x, y"];
        yield return ["experiment dependent without colour", "experiment dependent --dataset {root}/nopos.npz --out {root}/e", "lacks x, y, color"];
        yield return ["experiment out is file", "experiment heldout --dataset {data16} --out {existing}", "file"];
        yield return ["unknown precision", "train --decoder sbd --precision fp8 --dataset {data16} --out {root}/x", "precision"];
        yield return ["bench unknown path", "bench --paths fp32,turbo", "turbo"];
        yield return ["bench zero steps", "bench --steps 0", "steps"];
        yield return ["bench negative warm-up time", "bench --warmup-seconds -1", "warm-up seconds"];
        yield return ["bench unknown decoder", "bench --decoder vit", "unknown decoder"];
        yield return ["profile zero steps", "profile --steps 0", "steps"];
        yield return ["profile unknown decoder", "profile --decoder vit --steps 1", "unknown decoder"];
        yield return ["profile unknown precision", "profile --precision fp8", "precision"];
        yield return ["profile json is folder", "profile --decoder deconv --json {root}", "folder"];
        yield return ["unknown option", "train --decoder sbd --speed 3 --out {root}/x", "--speed"];
        yield return ["unknown decoder", "train --decoder vit --out {root}/x", "unknown decoder"];
        yield return ["negative epochs", "train --decoder sbd --epochs -1 --out {root}/x", "epochs"];
        yield return ["absurd epochs", "train --decoder sbd --epochs 99999999 --out {root}/x", "epochs"];
        yield return ["epochs and steps", "train --decoder sbd --epochs 2 --steps 10 --dataset {data16} --out {root}/x", "not both"];
        yield return ["zero steps", "train --decoder sbd --steps 0 --dataset {data16} --out {root}/x", "steps"];
        yield return ["log-every without steps", "train --decoder sbd --log-every 5 --dataset {data16} --out {root}/x", "--log-every"];
        yield return ["resume an epochs run with steps", "train --resume {run} --steps 50", "--epochs"];
        yield return ["compare epochs and steps", "compare --epochs 1 --steps 3 --dataset {data16} --out {root}/c", "not both"];
        yield return ["sweep epochs and steps", "sweep {root}/plan-both.json --out {root}/s", "not both"];
        yield return ["zero latent", "train --decoder sbd --latent 0 --out {root}/x", "latent"];
        yield return ["zero batch", "train --decoder sbd --batch 0 --out {root}/x", "batch"];
        yield return ["negative lr", "train --decoder sbd --lr -1 --out {root}/x", "learning rate"];
        yield return ["nan variance", "train --decoder sbd --variance NaN --out {root}/x", "variance"];
        yield return ["bad device", "train --decoder sbd --device tpu --out {root}/x", "device"];
        yield return ["not a number", "train --decoder sbd --epochs ten --out {root}/x", "ten"];
        yield return ["missing dataset", "train --decoder sbd --dataset {root}/nope.npz --out {root}/x", "nope.npz"];
        yield return ["dataset not npz", "train --decoder sbd --dataset {text} --out {root}/x", "notes.txt"];
        yield return ["dataset without imgs", "train --decoder sbd --dataset {noimgs} --out {root}/x", "imgs"];
        yield return ["out is a file", "train --decoder sbd --dataset {data16} --epochs 1 --out {existing}", "file"];
        yield return ["out holds a run", "train --decoder sbd --dataset {data16} --epochs 1 --out {run}", "already holds a run"];
        yield return ["resume missing", "train --resume {root}/nope", "not found"];
        yield return ["resume not a run", "train --resume {norun}", "no checkpoint"];
        yield return ["resume wrong image size", "train --resume {run} --dataset {data32}", "32-pixel"];
        yield return ["generate size not /16", "generate --img-size 40 --out {root}/g.npz", "multiple of 16"];
        yield return ["generate negative positions", "generate --num-pos -3 --out {root}/g.npz", "num"];
        yield return ["generate unknown colour", "generate --colors red,blurple --out {root}/g.npz", "blurple"];
        yield return ["generate unknown shape", "generate --shapes hexagon --out {root}/g.npz", "hexagon"];
        yield return ["generate unknown new shape", "generate --shapes triangle,star --out {root}/g.npz", "star"];
        yield return ["generate negative samples", "generate --samples -5 --out {root}/g.npz", "samples"];
        yield return ["generate samples not a number", "generate --samples many --out {root}/g.npz", "many"];
        yield return ["generate angle not a number", "generate --rotations 0,ninety --out {root}/g.npz", "ninety"];
        yield return ["generate angle out of range", "generate --rotations 0,720 --out {root}/g.npz", "720"];
        yield return ["generate angle repeated", "generate --rotations 0,90,-270 --out {root}/g.npz", "repeat"];
        yield return ["generate no angles", "generate --rotations , --out {root}/g.npz", "rotations"];
        yield return ["generate out is a folder", "generate --out {norun}", "folder"];
        yield return ["generate unknown preset", "generate --preset blobs --out {root}/g.npz", "blobs"];
        yield return ["generate preset missing dsprites", "generate --preset colored-sprites --dsprites {root}/nope.npz --out {root}/g.npz", "nope.npz"];
        yield return ["generate preset dsprites not npz", "generate --preset dsprites-like --dsprites {text} --out {root}/g.npz", "notes.txt"];
        yield return ["generate preset dsprites without imgs", "generate --preset dsprites-like --dsprites {noimgs} --out {root}/g.npz", "imgs"];
        yield return ["generate preset dsprites in circles layout", "generate --preset dsprites-like --dsprites {data16} --out {root}/g.npz", "(N, 6)"];
        yield return ["generate preset zero count", "generate --preset dsprites-like --count 0 --out {root}/g.npz", "count"];
        yield return ["generate preset count beyond the grid", "generate --preset dsprites-like --count 800000 --out {root}/g.npz", "737,280"];
        yield return ["generate preset with a circles option", "generate --preset colored-sprites --num-pos 3 --out {root}/g.npz", "--num-pos"];
        yield return ["generate count without preset", "generate --count 5 --out {root}/g.npz", "--preset"];
        yield return ["generate dsprites without preset", "generate --dsprites {data16} --out {root}/g.npz", "--preset"];
        yield return ["generate preset out is a folder", "generate --preset dsprites-like --count 2 --out {norun}", "folder"];
        yield return ["encode missing run", "encode {root}/nope --out {root}/e.npz", "not found"];
        yield return ["encode not a run", "encode {norun} --out {root}/e.npz", "no checkpoint"];
        yield return ["encode wrong image size", "encode {run} --dataset {data32} --out {existing}", "32-pixel"];
        yield return ["encode corrupt dataset", "encode {run} --dataset {text} --out {existing}", "notes.txt"];
        yield return ["explore missing run", "explore {root}/nope", "not found"];
        yield return ["explore not a run", "explore {run} {norun}", "no checkpoint"];
        yield return ["explore wrong image size", "explore {run} --dataset {data32}", "32-pixel"];
        yield return ["explore corrupt dataset", "explore {run} --dataset {text}", "notes.txt"];
        yield return ["explore missing dataset", "explore {run} --dataset {root}/nope.npz", "nope.npz"];
        yield return ["explore host not an address", "explore {run} --host example.org", "--host"];
        yield return ["explore port out of range", "explore {run} --port 70000", "--port"];
        yield return ["reconstruct out is a folder", "reconstruct {run} --dataset {data16} --out {norun}", "folder"];
        yield return ["figures missing run", "figures {root}/nope --out {root}/f", "not found"];
        yield return ["figures runs do not match", "figures {run} {norun} --out {root}/f", "no checkpoint"];
        yield return ["compare out is a file", "compare --epochs 1 --dataset {data16} --out {existing}", "file"];
        yield return ["compare zero epochs", "compare --epochs 0 --dataset {data16} --out {root}/c", "epochs"];
        yield return ["evaluate unknown metric", "evaluate {run} --metrics mig,magic --out {root}/m.json", "magic"];
        yield return ["evaluate codes missing", "evaluate --codes {root}/nope.npz --out {root}/m.json", "nope.npz"];
        yield return ["evaluate codes wrong shape", "evaluate --codes {codes} --out {root}/m.json", "2-D"];
        yield return ["evaluate nothing", "evaluate --out {root}/m.json", "RUN_DIR"];
        yield return ["import missing file", "import {root}/nope.pt --decoder sbd --out {root}/i", "nope.pt"];
        yield return ["import garbage", "import {text} --decoder sbd --out {root}/i", "notes.txt"];
        yield return ["export unknown format", "export {run} --format onnx --out {root}/w.onnx", "onnx"];
        yield return ["sweep plan missing", "sweep {root}/nope.json --out {root}/s", "nope.json"];
        yield return ["sweep plan not json", "sweep {text} --out {root}/s", "not valid JSON"];
        yield return ["sweep unknown key", "sweep {root}/plan-unknown.json --out {root}/s", "base: unknown key 'speed'"];
        yield return ["sweep bad value", "sweep {root}/plan-bad.json --out {root}/s", "axes.beta[1]"];
        yield return ["sweep dataset missing", "sweep {root}/plan-nodata.json --out {root}/s", "nope.npz"];
        yield return ["sweep folder of another plan", "sweep {root}/plan-other.json --out {sweep}", "different plan"];
        yield return ["sweep out is a file", "sweep {plan} --out {existing}", "file"];
        yield return ["sweep without out", "sweep {plan}", "--out"];
        yield return ["sweep index out of range", "sweep {plan} --out {sweep} --index 2", "out of range"];
        yield return ["sweep index and jobs", "sweep {plan} --out {sweep} --index 0 --jobs 2", "--index or --jobs"];
        yield return ["sweep zero jobs", "sweep {plan} --out {sweep} --jobs 0", "--jobs"];
        yield return ["sweep negative threads", "sweep {plan} --out {sweep} --threads -2", "--threads"];
        yield return ["aggregate missing folder", "aggregate {root}/nope", "not found"];
        yield return ["aggregate not a sweep", "aggregate {norun}", "plan.json"];
        yield return ["aggregate nothing finished", "aggregate {sweep}", "no finished entries"];
        yield return ["aggregate out is a folder", "aggregate {sweep} --out {root}/clash", "folder"];
        yield return ["export missing run", "export {root}/nope --format pt --out {root}/w.pt", "not found"];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GetsOneLineAndExitCode2(string name, string args, string mentions)
    {
        var f = Shared.Value;
        byte[] existingBefore = File.ReadAllBytes(f.Existing);
        byte[] checkpointBefore = File.ReadAllBytes(Path.Combine(f.Run, "checkpoint.safetensors"));
        string expanded = args.Replace("{run}", f.Run).Replace("{data16}", f.Data16).Replace("{data32}", f.Data32)
            .Replace("{existing}", f.Existing).Replace("{text}", f.TextFile).Replace("{norun}", f.NoRun)
            .Replace("{codes}", f.Codes).Replace("{noimgs}", f.NoImgs).Replace("{plan}", f.Plan).Replace("{sweep}", f.Sweep).Replace("{root}", f.Root);
        var r = Cli.Run(expanded.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(r.ExitCode == 2, $"{name}: exit {r.ExitCode}, stderr: {r.Err}");
        string[] lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{name}: expected one line, got: {r.Err}");
        Assert.StartsWith("sbvae:", lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.Contains(mentions, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(existingBefore, File.ReadAllBytes(f.Existing));
        Assert.Equal(checkpointBefore, File.ReadAllBytes(Path.Combine(f.Run, "checkpoint.safetensors")));
    }
}
