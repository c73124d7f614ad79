namespace Sbvae.Figures;

/// <summary>
/// What SPEC §6.2 shows for one model. Inputs and Reconstructions: the same number of
/// (3, ImageSize, ImageSize) images (7 in the spec). Traversals[latentDim][step]: the
/// decoding of one input's code with that dimension set to SweepValues[step].
/// </summary>
public sealed record TraversalData(string Model, float[][] Inputs, float[][] Reconstructions,
                                   float[][][] Traversals, double[] SweepValues, int ImageSize);
