using Sbvae.Data;
using Sbvae.Experiments;
using Sbvae.Reports;

namespace Sbvae.Runs;

/// <summary>
/// `experiment heldout|small|dependent`: writes the experiment's training set to DIR/train.npz
/// (and the held-out images to DIR/heldout.npz) so the runs can be resumed and inspected,
/// trains both decoders like <see cref="Comparison"/>, and writes the report with a section of
/// its own. Figures and scores use the full independent factor grid.
/// </summary>
public static class ExperimentRun
{
    /// <summary>
    /// Runs the experiment; the request's configurations get DIR/train.npz as their dataset.
    /// False if a training stopped early (each keeps its checkpoint).
    /// </summary>
    public static bool Run(ExperimentKind kind, ExperimentData data, FactorRegion region, ComparisonRequest request, ComparisonProgress progress)
    {
        using var held = Comparison.Lock(request);
        string trainPath = WriteData(request.Dir, data);
        progress.Note($"{ExperimentData.Name(kind)}: {data.Description}");
        request = request with { Configs = [.. request.Configs.Select(c => c with { Train = c.Train with { Dataset = trainPath } })] };
        var runs = Comparison.Train(request, data.Train, progress);
        if (runs is null) return false;
        Comparison.WriteReport(runs, data.Full, request, progress, report => report with
        {
            Title = Title(kind),
            Sections =
            [
                kind == ExperimentKind.HeldOut
                    ? HeldOutAnalysis.Build(runs, data, region, Path.Combine(request.Dir, "figures")).Section
                    : ExperimentSections.For(kind, data, report.Models),
            ],
        });
        return true;
    }

    /// <summary>Writes DIR/train.npz (and heldout.npz) unless there; refuses a folder holding another experiment's training set.</summary>
    static string WriteData(string dir, ExperimentData data)
    {
        Directory.CreateDirectory(dir);
        string trainPath = Path.GetFullPath(Path.Combine(dir, "train.npz"));
        if (!File.Exists(trainPath)) data.Train.Save(trainPath);
        else if (!SameRows(ImageDataset.Load(trainPath), data.Train))
            throw new SbvaeException($"'{dir}' holds another experiment's training set; choose another --out");
        if (data.HeldOut is not null && !File.Exists(Path.Combine(dir, "heldout.npz"))) data.HeldOut.Save(Path.Combine(dir, "heldout.npz"));
        return trainPath;
    }

    /// <summary>A folder's earlier training set is this one when the same factor rows are in it (the images follow from them).</summary>
    static bool SameRows(ImageDataset a, ImageDataset b) =>
        a.Count == b.Count && a.FactorClasses.AsSpan().SequenceEqual(b.FactorClasses) && a.FactorValues.AsSpan().SequenceEqual(b.FactorValues);

    static string Title(ExperimentKind kind) => kind switch
    {
        ExperimentKind.HeldOut => "Held-out region: spatial broadcast vs deconv decoder",
        ExperimentKind.Small => "Small objects: spatial broadcast vs deconv decoder",
        _ => "Dependent factors: spatial broadcast vs deconv decoder",
    };
}
