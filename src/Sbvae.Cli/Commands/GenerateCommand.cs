using System.CommandLine;
using Sbvae.Data;
using Sbvae.Figures;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae generate`: the procedural sprite dataset as .npz (SPEC §2).</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var numPos = new Option<int>("--num-pos") { Description = "Positions per axis (x and y in linspace(0, 1, n))", DefaultValueFactory = _ => 35 };
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated: circle, square, triangle, heart", DefaultValueFactory = _ => "circle" };
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated shape sizes in pixels", DefaultValueFactory = _ => "16" };
        var colors = new Option<string>("--colors") { Description = "Comma-separated CSS names, #rrggbb or rgb(r;g;b) / \"rgb(r,g,b)\"", DefaultValueFactory = _ => "red,green,blue" };
        var rotations = new Option<string>("--rotations") { Description = "Comma-separated angles in degrees, counter-clockwise; more than one adds a rotation factor", DefaultValueFactory = _ => "0" };
        var samples = new Option<int>("--samples") { Description = "Draw this many images with factors sampled uniformly at random (0 = every combination)", DefaultValueFactory = _ => 0 };
        var sampleSeed = new Option<int>("--sample-seed") { Description = "Seed of the random factor draws for --samples", DefaultValueFactory = _ => 0 };
        var imgSize = new Option<int>("--img-size") { Description = "Square image side (>= 16)", DefaultValueFactory = _ => 64 };
        var preview = new Option<string?>("--preview") { Description = "Also write a PNG grid of sample images" };
        var output = CommonOptions.Out("The .npz file to write");
        var cmd = new Command("generate", "Render the procedural sprite dataset to .npz")
        {
            numPos, shapes, sizes, colors, rotations, samples, sampleSeed, imgSize, output, preview,
        };
        cmd.SetAction(p =>
        {
            var spec = new SpriteSpec
            {
                NumPos = p.GetValue(numPos),
                Shapes = SplitList(p.GetValue(shapes)!),
                Sizes = SplitList(p.GetValue(sizes)!).Select(s => ParseInt(s, "--sizes")).ToArray(),
                Colors = SplitColors(p.GetValue(colors)!),
                ImgSize = p.GetValue(imgSize),
                Rotations = SplitList(p.GetValue(rotations)!).Select(s => ParseAngle(s, "--rotations")).ToArray(),
                Samples = p.GetValue(samples),
                SampleSeed = p.GetValue(sampleSeed),
            };
            spec.Validate();
            string outPath = p.GetValue(output)!;
            CommonOptions.CheckOutputFile(outPath);
            var data = SpriteGenerator.Generate(spec);
            data.Save(outPath);
            Console.WriteLine($"wrote {data.Count} images of {data.Height}×{data.Width} with factors [{string.Join(", ", data.FactorNames)}] to {outPath}");
            if (p.GetValue(preview) is string png)
            {
                CommonOptions.CheckOutputFile(png);
                var rng = new Random(0);
                var picks = Enumerable.Range(0, Math.Min(64, data.Count)).Select(_ => rng.Next(data.Count)).ToArray();
                ImageGrid.SavePng(png, picks.Select(i => DatasetImages.Chw(data, i)).ToList(), data.Height, columns: 8, scale: data.Height < 64 ? 2 : 1);
                Console.WriteLine($"wrote a preview of {picks.Length} images to {png}");
            }
            return 0;
        });
        return cmd;
    }

    static string[] SplitList(string s) =>
        s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Splits on commas that are not inside rgb(...).</summary>
    static string[] SplitColors(string s)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '(') depth++;
            else if (s[i] == ')') depth--;
            else if (s[i] == ',' && depth == 0) { parts.Add(s[start..i].Trim()); start = i + 1; }
        }
        parts.Add(s[start..].Trim());
        return parts.Where(p => p.Length > 0).ToArray();
    }

    static double ParseAngle(string s, string option) =>
        double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v)
            ? v : throw new SbvaeException($"{option}: '{s}' is not an angle in degrees");

    static int ParseInt(string s, string option) =>
        int.TryParse(s, out int v) ? v : throw new SbvaeException($"{option}: '{s}' is not a whole number");
}
