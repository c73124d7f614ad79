using Sbvae.Models;
using Sbvae.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Training;

/// <summary>
/// Splitting the batch across cores (<see cref="ComputeOptions.SplitBatch"/>) trains the same
/// model: the same loss terms and gradients as the whole batch at once, run after run the same.
/// </summary>
public class SplitBatchTests
{
    sealed record Outcome(List<StepProgress> Steps, Dictionary<string, Tensor> Grads, Dictionary<string, Tensor> Parameters, Dictionary<string, Tensor> Initial, int ThreadsAfter);

    /// <summary>
    /// Trains on the 72 tiny images with <paramref name="compute"/> for <paramref name="steps"/> steps
    /// (batch 5: shares of 2 and 3, and a last batch of 2); returns the progress, the last step's gradients and the weights.
    /// </summary>
    static Outcome Train(DecoderKind decoder, ComputeOptions compute, int steps, int threads = 2, CoreShare.Lease? cores = null, Action<int>? afterStep = null)
    {
        set_num_threads(threads);
        using var images = TrainingSetup.ToTrainingImages(TestData.Tiny(), CPU);
        using var model = TrainingSetup.BuildModel(new ModelConfig { Decoder = decoder, Latent = 3, ImageSize = 16 }, 5, CPU);
        using var trainer = new Trainer(model, images, new TrainConfig { Epochs = 2, Batch = 5, LearningRate = 1e-3, Seed = 5 }) { Cores = cores };
        model.Compute = compute;
        var initial = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var progress = new List<StepProgress>();
        using var cancel = new CancellationTokenSource();
        trainer.StepCompleted += p =>
        {
            progress.Add(p);
            afterStep?.Invoke(progress.Count);
            if (progress.Count == steps) cancel.Cancel();
        };
        trainer.Run(cancel.Token);
        int after = get_num_threads();
        var named = model.named_parameters().ToList();
        return new Outcome(progress,
            named.ToDictionary(p => p.name, p => p.parameter.grad!.clone()),
            named.ToDictionary(p => p.name, p => p.parameter.detach().clone()), initial, after);
    }

    static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).norm().item<float>() / Math.Max(expected.norm().item<float>(), 1e-12);

    [Theory]
    [InlineData(DecoderKind.Sbd)]
    [InlineData(DecoderKind.Deconv)]
    public void Fp32SplitIsTheWholeBatchStep(DecoderKind decoder)
    {
        var whole = Train(decoder, ComputeOptions.For(Precision.Fp32) with { SplitBatch = false }, steps: 1);
        var split = Train(decoder, ComputeOptions.For(Precision.Fp32) with { SplitBatch = true }, steps: 1);
        Assert.Equal(whole.Steps[0].Kl, split.Steps[0].Kl, 4);
        Assert.Equal(whole.Steps[0].Reconstruction, split.Steps[0].Reconstruction, 2);
        foreach (var (name, g) in whole.Grads)
            Assert.True(RelativeError(split.Grads[name], g) < 1e-5, $"{name}: {RelativeError(split.Grads[name], g)}");
    }

    [Fact]
    public void Fp32SplitTrainsTheSameWeightsOverAnEpoch()
    {
        // 15 steps, the last with 2 images; Adam moves each weight by about 1e-3 a step.
        var whole = Train(DecoderKind.Sbd, ComputeOptions.For(Precision.Fp32) with { SplitBatch = false }, steps: 15);
        var split = Train(DecoderKind.Sbd, ComputeOptions.For(Precision.Fp32) with { SplitBatch = true }, steps: 15);
        Assert.Equal(15, split.Steps.Count);
        foreach (var (name, w) in whole.Parameters)
            Assert.True((split.Parameters[name] - w).abs().max().item<float>() < 1e-4f, name);
        Assert.All(whole.Parameters, kv => Assert.True((kv.Value - whole.Initial[kv.Key]).abs().max().item<float>() > 5e-3f, kv.Key)); // the epoch moved every tensor
    }

    [Fact]
    public void Bf16SplitMatchesTheWholeBatchWithinRounding()
    {
        var whole = Train(DecoderKind.Sbd, ComputeOptions.For(Precision.Bf16) with { SplitBatch = false }, steps: 1);
        var split = Train(DecoderKind.Sbd, ComputeOptions.For(Precision.Bf16), steps: 1);
        Assert.Equal(whole.Steps[0].Kl, split.Steps[0].Kl, 3);
        Assert.True(Math.Abs(whole.Steps[0].Reconstruction - split.Steps[0].Reconstruction) < 1e-3 * whole.Steps[0].Reconstruction);
        foreach (var (name, g) in whole.Grads)
            Assert.True(RelativeError(split.Grads[name], g) < 0.01, $"{name}: {RelativeError(split.Grads[name], g)}");
        // Dense, as the one-pass Adam needs (autograd.grad hands conv gradients back channels-last).
        Assert.All(split.Grads, kv => Assert.True(kv.Value.is_contiguous(), kv.Key));
    }

    [Fact]
    public void SplitRunsRepeatExactlyAndGiveTheThreadsBack()
    {
        var first = Train(DecoderKind.Sbd, ComputeOptions.For(Precision.Bf16), steps: 4);
        var second = Train(DecoderKind.Sbd, ComputeOptions.For(Precision.Bf16), steps: 4);
        foreach (var (name, w) in first.Parameters)
            Assert.True(w.eq(second.Parameters[name]).all().item<bool>(), name);
        Assert.Equal(2, first.ThreadsAfter);
    }

    [Theory]
    [InlineData(DecoderKind.Sbd)]
    [InlineData(DecoderKind.Deconv)]
    public void TheSharesDoNotChangeWhenCoresComeAndGo(DecoderKind decoder)
    {
        // Three threads' shares computed by 3 workers, by 1, and by 1 then 2 then 3 as other runs leave.
        var all = Train(decoder, ComputeOptions.For(Precision.Bf16), steps: 6, threads: 3);
        var one = Train(decoder, ComputeOptions.For(Precision.Bf16), steps: 6, threads: 3, cores: new CoreShare(1).Join());
        var machine = new CoreShare(3);
        var lease = machine.Join();
        var others = new[] { machine.Join(), machine.Join() };
        var counts = new List<int>();
        var growing = Train(decoder, ComputeOptions.For(Precision.Bf16), steps: 6, threads: 3, cores: lease, afterStep: step =>
        {
            counts.Add(lease.Cores);
            if (step is 2 or 4) machine.Leave(others[step / 2 - 1]);
        });
        Assert.Equal([1, 1, 2, 2, 3, 3], counts);
        foreach (var (name, w) in all.Parameters)
        {
            Assert.True(w.eq(one.Parameters[name]).all().item<bool>(), $"{name} with one core");
            Assert.True(w.eq(growing.Parameters[name]).all().item<bool>(), $"{name} with cores added");
        }
        Assert.Equal(3, one.ThreadsAfter);
    }

    [Fact]
    public void AWorkerKeepsOneThreadWhateverAnotherThreadSetsLater()
    {
        // libtorch hands a thread the count last set anywhere when it first asks: an idle
        // worker woken after another run restored its count must still compute with one.
        using var workers = new BatchWorkers(2);
        var setter = new Thread(() => set_num_threads(2));
        setter.Start();
        setter.Join();
        var counts = new int[2];
        workers.Run(worker => counts[worker] = worker == 0 ? 1 : get_num_threads());
        Assert.Equal(1, counts[1]);
    }

    [Fact]
    public void CoresAreDividedEvenlyAndHandedOn()
    {
        var share = new CoreShare(5);
        var a = share.Join();
        Assert.Equal(5, a.Cores);
        var b = share.Join();
        var c = share.Join();
        Assert.Equal([2, 2, 1], new[] { a.Cores, b.Cores, c.Cores });
        share.Leave(a);
        Assert.Equal([3, 2], new[] { b.Cores, c.Cores });
        share.Leave(a); // twice is harmless
        share.Leave(b);
        Assert.Equal(5, c.Cores);
        var many = new CoreShare(1);
        Assert.Equal([1, 1], new[] { many.Join().Cores, many.Join().Cores }); // never below one
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoreShare(0));
    }

    [Fact]
    public void NonFiniteLossStopsTheSplitStepBeforeTheUpdate()
    {
        set_num_threads(2);
        using var images = TrainingSetup.ToTrainingImages(TestData.Tiny(), CPU);
        // σ_x² = 1e-38 makes the reconstruction term overflow float32 on the first step.
        using var model = TrainingSetup.BuildModel(new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 3, ImageSize = 16, Variance = 1e-38 }, 5, CPU);
        using var trainer = new Trainer(model, images, new TrainConfig { Epochs = 1, Batch = 8, Seed = 5, Precision = "bf16" });
        model.Compute = ComputeOptions.For(Precision.Bf16);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        Assert.Throws<NonFiniteLossException>(() => trainer.Run(CancellationToken.None));
        Assert.All(model.parameters().Zip(before), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
        Assert.Equal(2, get_num_threads());
    }

    [Fact]
    public void WorkersRunEveryShareOnceAndPassOnFailures()
    {
        using var workers = new BatchWorkers(3);
        var runs = new int[3];
        var threadIds = new int[3];
        workers.Run(share =>
        {
            Interlocked.Increment(ref runs[share]);
            threadIds[share] = Environment.CurrentManagedThreadId;
        });
        Assert.Equal([1, 1, 1], runs);
        Assert.Equal(3, threadIds.Distinct().Count());
        var e = Assert.Throws<InvalidOperationException>(() => workers.Run(share => { if (share == 2) throw new InvalidOperationException("share 2 failed"); }));
        Assert.Equal("share 2 failed", e.Message);
        workers.Run(share => Interlocked.Increment(ref runs[share])); // still usable after a failure
        Assert.Equal([2, 2, 2], runs);
        workers.Run(1, share => Interlocked.Increment(ref runs[share])); // the caller alone
        Assert.Equal([3, 2, 2], runs);
        Assert.Throws<ArgumentOutOfRangeException>(() => workers.Run(4, _ => { }));
    }
}
