using Sbvae.Checkpoints;
using Sbvae.Models;
using static TorchSharp.torch;

namespace Sbvae.Tests.Interop;

/// <summary>Shared steps of the interop tests: load a run's model, run it on plain arrays, compare.</summary>
public static class InteropTestKit
{
    public static Vae LoadRun(string runDir)
    {
        var checkpoint = Checkpoint.Load(Path.Combine(runDir, "checkpoint.safetensors"));
        var model = new Vae(checkpoint.Config.Model);
        checkpoint.LoadInto(model);
        model.eval();
        return model;
    }

    public static float[] RandomImage(int size, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 3 * size * size).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    public static (float[] Mu, float[] LogVar, float[] Recon) Run(Vae model, float[] image)
    {
        int s = model.Config.ImageSize;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = tensor(image, [1, 3, s, s]);
        var (mu, logVar) = model.Encoder.forward(x);
        var recon = model.Reconstruct(x);
        return (mu.data<float>().ToArray(), logVar.data<float>().ToArray(), recon.data<float>().ToArray());
    }

    /// <summary>float32 agreement: what libtorch's float32 sums and a double-precision loop may differ by.</summary>
    public static void AssertClose(double[] expected, float[] actual, double tolerance = 2e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    public static SbvaeException OneLine(Action action)
    {
        var e = Assert.Throws<SbvaeException>(action);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }
}
