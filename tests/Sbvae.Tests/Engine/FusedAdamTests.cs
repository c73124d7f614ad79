using Sbvae.Engine;
using Sbvae.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>The fused update is TorchSharp's Adam: same parameters and moments after several steps.</summary>
public class FusedAdamTests
{
    [Fact]
    public void MatchesTorchSharpAdam()
    {
        using var g = new Generator(2);
        using var start = randn([37, 5], generator: g); // 185 elements: vector body and scalar tail
        using var grads = randn([6, 37, 5], generator: g);
        using var reference = new Parameter(start.clone());
        using var fused = new Parameter(start.clone());
        using var plainAdam = optim.Adam([reference], lr: 3e-3);
        using var fusedAdam = optim.Adam([fused], lr: 3e-3);
        for (int step = 0; step < 6; step++)
        {
            reference.grad = grads[step].clone();
            fused.grad = grads[step].clone();
            plainAdam.step();
            Assert.True(FusedAdam.Step(fusedAdam));
        }
        var a = (Adam.State)plainAdam.state_dict().State[0];
        var b = (Adam.State)fusedAdam.state_dict().State[0];
        Assert.Equal(a.step, b.step);
        Assert.True((a.exp_avg - b.exp_avg).abs().max().item<float>() < 1e-6f);
        Assert.True((a.exp_avg_sq - b.exp_avg_sq).abs().max().item<float>() < 1e-6f);
        Assert.True((reference - fused).abs().max().item<float>() < 1e-6f, $"{(reference - fused).abs().max().item<float>()}");
        Assert.True((reference - start).abs().max().item<float>() > 1e-3f); // it did move
    }

    [Fact]
    public void LeavesWhatItDoesNotCoverToAdam()
    {
        using var p = new Parameter(randn(4));
        using var adam = optim.Adam([p], lr: 1e-3, weight_decay: 0.1);
        p.grad = ones(4);
        Assert.False(FusedAdam.Step(adam));
    }
}
