using Sbvae.Training;

namespace Sbvae.Runs;

/// <summary>
/// What `compare` and the experiments are asked for: the folder, the two configurations
/// (deconv and spatial broadcast, same data, seed and recipe), whether to train them one at a
/// time, quick metric samples, the command line quoted in the report, and whether to lock the folders.
/// </summary>
public sealed record ComparisonRequest(string Dir, IReadOnlyList<RunConfig> Configs, bool Quick = false, bool OneAtATime = false,
    string CommandLine = "sbvae compare", bool Lock = true, bool TensorBoard = true);
