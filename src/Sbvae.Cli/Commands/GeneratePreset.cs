using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Sbvae.Data;
using Sbvae.Figures;

namespace Sbvae.Cli.Commands;

/// <summary>
/// `sbvae generate --preset dsprites-like|colored-sprites`: a seeded random subset of the dSprites
/// grid (procedural, or read from the public file with --dsprites) as .npz. A subset because the
/// full 737,280 images do not fit one in-memory dataset.
/// </summary>
public sealed class GeneratePreset
{
    public static readonly IReadOnlyList<string> Names = ["dsprites-like", "colored-sprites"];

    readonly Option<string?> preset = new("--preset")
    {
        Description = "dsprites-like (binary, 1 channel) or colored-sprites (RGB, HSV colour factors): --count random images of the dSprites grid instead of the circles grid",
    };
    readonly Option<int> count = new("--count") { Description = "Images to write with --preset", DefaultValueFactory = _ => 10_000 };
    readonly Option<int> seed = new("--seed") { Description = "Seed of the row sampling and colours with --preset", DefaultValueFactory = _ => 0 };
    readonly Option<string?> dsprites = new("--dsprites") { Description = $"With --preset: take the shapes from the public {DSprites.FileName} instead of rendering them" };
    readonly Option<string?> layout = new("--layout")
    {
        Description = "dsprites: the whole dSprites grid (737,280 images) in the public file's layout, written image by image (from --dsprites or procedural); "
            + "3dshapes: a 3D Shapes look-alike (480,000 images) in the public 3dshapes.h5 layout",
    };
    readonly Option<string?> factorSizes = new("--factor-sizes")
    {
        Description = "With --layout 3dshapes: values per factor (floor hue, wall hue, object hue, scale, shape, orientation), at most the public 10,10,10,8,4,15",
    };
    Option<string?>? preview;

    GeneratePreset() { }

    /// <summary>
    /// Adds the preset options to `generate` and runs the preset in front of its own action, which
    /// stays in charge when no --preset is given; its --out and --preview apply to presets as well.
    /// </summary>
    public static Command AddTo(Command generate)
    {
        var g = new GeneratePreset { preview = generate.Options.OfType<Option<string?>>().FirstOrDefault(o => o.Name == "--preview") };
        var output = generate.Options.OfType<Option<string>>().Single(o => o.Name == "--out");
        generate.Options.Add(g.preset);
        generate.Options.Add(g.count);
        generate.Options.Add(g.seed);
        generate.Options.Add(g.dsprites);
        generate.Options.Add(g.layout);
        generate.Options.Add(g.factorSizes);
        var circles = generate.Action as SynchronousCommandLineAction
            ?? throw new InvalidOperationException("generate needs a synchronous action");
        generate.SetAction(p => g.TryRun(p, p.GetValue(output)!) ? 0 : circles.Invoke(p));
        return generate;
    }

    bool WriteLayout(ParseResult p, string kind, string outPath)
    {
        if (kind is not ("dsprites" or "3dshapes")) throw new SbvaeException($"unknown layout '{kind}' (use dsprites or 3dshapes)");
        var own = kind == "dsprites" ? dsprites : factorSizes;
        foreach (var r in p.CommandResult.Children.OfType<OptionResult>())
            if (!r.Implicit && r.Option != layout && r.Option != own && r.Option.Name != "--out")
                throw new SbvaeException($"{r.Option.Name} does not apply to --layout {kind}");
        CommonOptions.CheckOutputFile(outPath);
        if (kind == "3dshapes")
        {
            var shapes = new Shapes3DLike(p.GetValue(factorSizes) is string sizes ? ParseSizes(sizes) : null);
            shapes.Write(outPath);
            Console.WriteLine($"wrote {shapes.Count} 3D Shapes-layout images of {Shapes3DLike.Side}×{Shapes3DLike.Side}×3 to {outPath}");
            return true;
        }
        IDSpritesSource source = p.GetValue(dsprites) is string file ? DSprites.Load(file) : new DSpritesLike(new DSpritesLikeSpec());
        DSpritesWriter.Write(outPath, source);
        Console.WriteLine($"wrote {source.Count} dSprites-layout images of {source.Side}×{source.Side} to {outPath}");
        return true;
    }

    static int[] ParseSizes(string text) => text.Split(',', StringSplitOptions.TrimEntries)
        .Select(t => int.TryParse(t, out int v) ? v : throw new SbvaeException($"--factor-sizes: '{t}' is not a whole number")).ToArray();

    /// <summary>Writes the preset's dataset when --preset was given; false (nothing done) otherwise.</summary>
    public bool TryRun(ParseResult p, string outPath)
    {
        Option[] own = [preset, count, seed, dsprites, layout, factorSizes];
        if (p.GetValue(layout) is string kind)
            return WriteLayout(p, kind, outPath);
        if (p.GetValue(preset) is not string name)
        {
            foreach (var o in own)
                if (p.GetResult(o) is { Implicit: false })
                    throw new SbvaeException(o == factorSizes ? "--factor-sizes needs --layout 3dshapes"
                        : $"{o.Name} needs --preset ({string.Join(" or ", Names)})");
            return false;
        }
        if (!Names.Contains(name))
            throw new SbvaeException($"unknown preset '{name}' (use {string.Join(" or ", Names)})");
        foreach (var r in p.CommandResult.Children.OfType<OptionResult>())
            if (!r.Implicit && !own.Contains(r.Option) && r.Option.Name is not ("--out" or "--preview"))
                throw new SbvaeException($"{r.Option.Name} does not apply to --preset {name} (the dSprites grid is fixed)");
        CommonOptions.CheckOutputFile(outPath);
        string? png = preview is null ? null : p.GetValue(preview);
        if (png is not null) CommonOptions.CheckOutputFile(png);

        int n = p.GetValue(count), s = p.GetValue(seed);
        if (n < 1) throw new SbvaeException($"--count must be at least 1, got {n}");
        IDSpritesSource source = p.GetValue(dsprites) is string file
            ? DSprites.Load(file)
            : new DSpritesLike(new DSpritesLikeSpec());
        var data = name == "colored-sprites" ? ColoredSprites.Create(source, n, s) : source.ToImageDataset(n, s);
        // Procedural sets name their generator, so metrics can render any factor combination of them.
        if (source is DSpritesLike)
            data = new ImageDataset(data.Count, data.Height, data.Width, data.Channels, data.Pixels, data.FactorNames,
                data.FactorValues, data.FactorClasses) { Generator = name };
        data.Save(outPath);
        Console.WriteLine($"wrote {data.Count} of {source.Count} {name} images of {data.Height}×{data.Width}×{data.Channels} with factors [{string.Join(", ", data.FactorNames)}] to {outPath}");
        if (png is not null)
        {
            // Rows are sorted by factor classes, so spread the picks over the whole subset.
            int shown = Math.Min(64, data.Count);
            var picks = Enumerable.Range(0, shown).Select(i => (int)((long)i * data.Count / shown)).ToList();
            ImageGrid.SavePng(png, picks.Select(i => DatasetImages.Chw(data, i)).ToList(), data.Height, columns: 8, scale: 1);
            Console.WriteLine($"wrote a preview of {shown} images to {png}");
        }
        return true;
    }
}
