using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace Sbvae.Objectives;

/// <summary>
/// FactorVAE's discriminator (Kim &amp; Mnih 2018, App. A: an MLP of 6 layers of 1000 hidden units with
/// leaky ReLU, 2 outputs), as disentanglement_lib methods/shared/architectures.py fc_discriminator:
/// six Linear(·, 1000) + LeakyReLU(0.2) (tf.nn.leaky_relu's default slope), then Linear(1000, 2)
/// logits. Weights are initialised like TensorFlow's dense layers there (Glorot uniform, zero bias).
/// Input (B, k) codes, output (B, 2) logits: class 0 = code of the batch, class 1 = permuted.
/// State-dict keys: layers.{0,2,…,12}.weight / .bias.
/// </summary>
public sealed class FactorVaeDiscriminator : Module<Tensor, Tensor>
{
    public const int HiddenLayers = 6;
    public const int HiddenUnits = 1000;
    public const double LeakySlope = 0.2;

    private readonly Sequential layers;

    public FactorVaeDiscriminator(int latent) : base(nameof(FactorVaeDiscriminator))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latent, 1);
        var modules = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < HiddenLayers; i++)
        {
            modules.Add(Linear(i == 0 ? latent : HiddenUnits, HiddenUnits));
            modules.Add(LeakyReLU(LeakySlope));
        }
        modules.Add(Linear(HiddenUnits, 2));
        layers = Sequential(modules);
        using (no_grad())
        {
            foreach (var m in modules.OfType<Linear>())
            {
                init.xavier_uniform_(m.weight);
                if (m.bias is { } b) init.zeros_(b);
            }
        }
        RegisterComponents();
    }

    /// <summary>The layers in order: Linear, LeakyReLU, …, Linear (for the engine, which may compute them in bf16).</summary>
    internal IEnumerable<Module<Tensor, Tensor>> Layers => layers.children().Cast<Module<Tensor, Tensor>>();

    public override Tensor forward(Tensor z) => layers.forward(z);
}
