namespace Sbvae.Engine;

/// <summary>The arithmetic used inside forward and backward; the weights themselves stay fp32.</summary>
public enum Precision
{
    Fp32,
    /// <summary>bfloat16 activations and weight copies; gradients reach the fp32 master weights through the cast.</summary>
    Bf16,
}
