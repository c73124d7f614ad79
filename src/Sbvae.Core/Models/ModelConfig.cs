using System.Text.Json.Serialization;

namespace Sbvae.Models;

/// <summary>Which decoder turns a latent code into an image.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DecoderKind>))]
public enum DecoderKind
{
    /// <summary>Spatial broadcast decoder (Watters et al. 2019, §2).</summary>
    Sbd,
    /// <summary>Deconvolutional (transposed-convolution) decoder, the paper's baseline.</summary>
    Deconv,
}

/// <summary>Everything needed to rebuild a VAE; defaults are the reference (SPEC §3–§5).</summary>
public sealed record ModelConfig
{
    public DecoderKind Decoder { get; init; } = DecoderKind.Sbd;
    /// <summary>k, the number of latent dimensions (reference 5).</summary>
    public int Latent { get; init; } = 5;
    /// <summary>Square image side; a multiple of 16 so the four stride-2 convs divide it evenly.</summary>
    public int ImageSize { get; init; } = 64;
    /// <summary>σ_x², the fixed decoder variance (reference 0.3).</summary>
    public double Variance { get; init; } = DefaultVariance;
    /// <summary>Weight of the KL term (reference 1: a plain VAE).</summary>
    public double Beta { get; init; } = DefaultBeta;
    /// <summary>The paper's own broadcast variant: no padding, grid larger by 6 pixels (MONet B.1).</summary>
    public bool Unpadded { get; init; }

    /// <summary>What is minimised besides the reconstruction: betavae (the reference, with β = 1 a plain VAE), factorvae,
    /// betatcvae, dipvae1, dipvae2 or annealed (Sbvae.Objectives).</summary>
    public string Objective { get; init; } = "betavae";
    /// <summary>p(x|z): gaussian (fixed σ_x², the reference), bernoulli (the decoder outputs logits) or laplace (scale b).</summary>
    public string Likelihood { get; init; } = "gaussian";
    /// <summary>Laplace scale b; null: <see cref="DefaultScale"/>.</summary>
    public double? Scale { get; init; }
    /// <summary>FactorVAE's total-correlation weight γ, or AnnealedVAE's capacity weight; null: the method's default (10, 1000).</summary>
    public double? Gamma { get; init; }
    /// <summary>DIP-VAE's off-diagonal weight λ_od; null: 10.</summary>
    public double? LambdaOd { get; init; }
    /// <summary>DIP-VAE's diagonal weight λ_d; null: 10·λ_od (type I) or λ_od (type II).</summary>
    public double? LambdaD { get; init; }
    /// <summary>AnnealedVAE's final capacity C_max in nats; null: 25.</summary>
    public double? CapacityMax { get; init; }
    /// <summary>AnnealedVAE: steps over which C rises from 0 to C_max; null: all of the run's steps.</summary>
    public int? CapacitySteps { get; init; }

    /// <summary>Laplace's b when none is given: the reference Gaussian's σ_x² = 0.3 as the scale of a comparable spread.</summary>
    public const double DefaultScale = 0.3;
    const double DefaultVariance = 0.3, DefaultBeta = 1.0;

    /// <summary>Which objectives use each hyperparameter; giving one to another objective is an error.</summary>
    static readonly (string Option, Func<ModelConfig, bool> Given, string[] UsedBy)[] Hyperparameters =
    [
        ("--beta", c => c.Beta != DefaultBeta, ["betavae", "betatcvae"]),
        ("--gamma", c => c.Gamma is not null, ["factorvae", "annealed"]),
        ("--lambda-od", c => c.LambdaOd is not null, ["dipvae1", "dipvae2"]),
        ("--lambda-d", c => c.LambdaD is not null, ["dipvae1", "dipvae2"]),
        ("--capacity-max", c => c.CapacityMax is not null, ["annealed"]),
        ("--capacity-steps", c => c.CapacitySteps is not null, ["annealed"]),
    ];

    /// <summary>
    /// Refuses a hyperparameter the objective (or likelihood) does not use. A value other than the
    /// default counts as given (for β and σ_x², whose defaults are numbers); defaults never are errors.
    /// Checked on the whole configuration, once every option is in.
    /// </summary>
    public void CheckHyperparameters()
    {
        foreach (var (option, given, usedBy) in Hyperparameters)
            if (given(this) && !usedBy.Contains(Objective))
                throw new SbvaeException($"{option} is not a hyperparameter of {Objective} (it is for {string.Join(" and ", usedBy)})");
        if (Variance != DefaultVariance && Likelihood != "gaussian")
            throw new SbvaeException($"--variance is the gaussian likelihood's, not {Likelihood}'s");
        if (Scale is not null && Likelihood != "laplace")
            throw new SbvaeException($"--scale is the laplace likelihood's, not {Likelihood}'s");
    }

    public void Validate()
    {
        if (Latent < 1 || Latent > 4096) throw new SbvaeException($"latent size must be between 1 and 4096, got {Latent}");
        if (ImageSize < 16 || ImageSize % 16 != 0 || ImageSize > 1024)
            throw new SbvaeException($"image size must be a multiple of 16 between 16 and 1024, got {ImageSize}");
        if (!(Variance > 0) || double.IsInfinity(Variance)) throw new SbvaeException($"decoder variance must be a positive number, got {Variance}");
        if (!(Beta >= 0) || double.IsInfinity(Beta)) throw new SbvaeException($"beta must be a non-negative number, got {Beta}");
        if (!ObjectiveNames.Contains(Objective)) throw new SbvaeException($"unknown objective '{Objective}' (use {string.Join(", ", ObjectiveNames)})");
        if (!LikelihoodNames.Contains(Likelihood)) throw new SbvaeException($"unknown likelihood '{Likelihood}' (use {string.Join(", ", LikelihoodNames)})");
        NonNegative(Gamma, "gamma");
        NonNegative(LambdaOd, "lambda-od");
        NonNegative(LambdaD, "lambda-d");
        NonNegative(CapacityMax, "capacity-max");
        if (Scale is { } b && (!(b > 0) || double.IsInfinity(b))) throw new SbvaeException($"scale must be a positive number, got {b}");
        if (CapacitySteps is { } steps && steps < 1) throw new SbvaeException($"capacity-steps must be at least 1, got {steps}");
    }

    static void NonNegative(double? value, string name)
    {
        if (value is { } v && (!(v >= 0) || double.IsInfinity(v))) throw new SbvaeException($"{name} must be a non-negative number, got {v}");
    }

    /// <summary>The objectives and likelihoods by name (Sbvae.Objectives implements them).</summary>
    public static readonly IReadOnlyList<string> ObjectiveNames = ["betavae", "factorvae", "betatcvae", "dipvae1", "dipvae2", "annealed"];
    public static readonly IReadOnlyList<string> LikelihoodNames = ["gaussian", "bernoulli", "laplace"];

    /// <summary>The reference objective and likelihood, computed exactly as before the others existed.</summary>
    public bool HasReferenceObjective() => Objective == "betavae" && Likelihood == "gaussian";

    public static DecoderKind ParseDecoder(string name) => name.ToLowerInvariant() switch
    {
        "sbd" or "broadcast" or "spatial-broadcast" => DecoderKind.Sbd,
        "deconv" => DecoderKind.Deconv,
        _ => throw new SbvaeException($"unknown decoder '{name}' (use sbd or deconv)"),
    };

    public static string Name(DecoderKind kind) => kind == DecoderKind.Sbd ? "sbd" : "deconv";
}
