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
    public double Variance { get; init; } = 0.3;
    /// <summary>Weight of the KL term (reference 1: a plain VAE).</summary>
    public double Beta { get; init; } = 1.0;
    /// <summary>The paper's own broadcast variant: no padding, grid larger by 6 pixels (MONet B.1).</summary>
    public bool Unpadded { get; init; }

    public void Validate()
    {
        if (Latent < 1 || Latent > 4096) throw new SbvaeException($"latent size must be between 1 and 4096, got {Latent}");
        if (ImageSize < 16 || ImageSize % 16 != 0 || ImageSize > 1024)
            throw new SbvaeException($"image size must be a multiple of 16 between 16 and 1024, got {ImageSize}");
        if (!(Variance > 0) || double.IsInfinity(Variance)) throw new SbvaeException($"decoder variance must be a positive number, got {Variance}");
        if (!(Beta >= 0) || double.IsInfinity(Beta)) throw new SbvaeException($"beta must be a non-negative number, got {Beta}");
    }

    public static DecoderKind ParseDecoder(string name) => name.ToLowerInvariant() switch
    {
        "sbd" or "broadcast" or "spatial-broadcast" => DecoderKind.Sbd,
        "deconv" => DecoderKind.Deconv,
        _ => throw new SbvaeException($"unknown decoder '{name}' (use sbd or deconv)"),
    };

    public static string Name(DecoderKind kind) => kind == DecoderKind.Sbd ? "sbd" : "deconv";
}
