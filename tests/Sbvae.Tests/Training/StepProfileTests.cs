using System.Diagnostics;
using Sbvae.Models;
using Sbvae.Training;
using static TorchSharp.torch;

namespace Sbvae.Tests.Training;

/// <summary>
/// `sbvae profile`: the timeline stamps leave the computation alone, the analysis splits a
/// recorded step exactly, and a real profile accounts for every layer and the whole step.
/// </summary>
public class StepProfileTests
{
    static long Ticks(double ms) => (long)Math.Round(ms * Stopwatch.Frequency / 1000);
    static TimelineEvent F(string label, double ms) => new(label, TimelineEventKind.Forward, Ticks(ms));
    static TimelineEvent B(string label, double ms) => new(label, TimelineEventKind.Backward, Ticks(ms));
    static TimelineEvent P(string label, double ms) => new(label, TimelineEventKind.Point, Ticks(ms));

    /// <summary>Share 0 of one step starting at <paramref name="t"/>, waiting <paramref name="wait"/> ms for the other share.</summary>
    static IEnumerable<TimelineEvent> MainStep(double t, double wait) =>
    [
        P(StepTimeline.StepStart, t), P(StepTimeline.ShareStart, t + 1),
        F("a", t + 2), F("b", t + 5), F(StepTimeline.LossLabel, t + 9),
        P(StepTimeline.Backward, t + 10), B(StepTimeline.LossLabel, t + 11), B("b", t + 14),
        P(StepTimeline.BackwardEnd, t + 20), P(StepTimeline.SharesEnd, t + 20 + wait), P(StepTimeline.StepEnd, t + 23 + wait),
    ];

    static IEnumerable<TimelineEvent> OtherShare(double t) =>
    [
        P(StepTimeline.ShareStart, t + 1.5), F("a", t + 2), F("b", t + 4), F(StepTimeline.LossLabel, t + 8),
        P(StepTimeline.Backward, t + 9), B(StepTimeline.LossLabel, t + 10), B("b", t + 12), P(StepTimeline.BackwardEnd, t + 21),
    ];

    [Fact]
    public void AnalysisSplitsARecordedStepIntoItsParts()
    {
        // Two steps, waiting 2 and 4 ms for the other share.
        List<TimelineEvent> main = [.. MainStep(100, 2), .. MainStep(200, 4)];
        List<TimelineEvent> other = [.. OtherShare(100), .. OtherShare(200)];
        var flops = new List<ModelFlops.Layer> { new("a", 10, 100, NeedsInputGradient: false), new("b", 10, 100, NeedsInputGradient: true) };
        var p = StepProfile.Analyse([other, main], "deconv", "bf16", split: true, shares: 2, shareImages: 8, threadCount: 2, flops);

        Assert.Equal(2, p.Steps);
        Assert.Equal(26, p.StepMs, 6); // 25 and 27
        Assert.Equal(1, p.BatchMs, 6);
        Assert.Equal(19, p.ShareMs, 6);
        Assert.Equal(3, p.WaitMs, 6);
        Assert.Equal(3, p.UpdateMs, 6);
        Assert.Equal(p.StepMs, p.BatchMs + p.ShareMs + p.WaitMs + p.UpdateMs, 6);
        Assert.Equal(19.5, Assert.Single(p.OtherSharesMs), 6);
        Assert.Equal(0.5, Assert.Single(p.OtherSharesLateMs), 6); // started half a millisecond after share 0

        Assert.Equal(["a", "b", StepTimeline.LossLabel], p.Layers.Select(l => l.Layer));
        var (a, b, loss) = (p.Layers[0], p.Layers[1], p.Layers[2]);
        Assert.Equal((3.0, 6.0), (Math.Round(a.ForwardMs, 6), Math.Round(a.BackwardMs, 6))); // the image needs no gradient: a gets the rest of the backward
        Assert.Equal((4.0, 3.0), (Math.Round(b.ForwardMs, 6), Math.Round(b.BackwardMs, 6)));
        Assert.Equal((1.0, 1.0), (Math.Round(loss.ForwardMs, 6), Math.Round(loss.BackwardMs, 6)));
        Assert.Equal(p.ShareMs - 1, p.Layers.Sum(l => l.TotalMs), 6); // all but the share's first millisecond (before the first stamp)
        Assert.Equal(2.0 * 1000 * 8 * 2, a.Flop); // forward and weight gradient only
        Assert.Equal(2.0 * 1000 * 8 * 3, b.Flop);
        Assert.Equal(0, loss.Flop);
        Assert.Equal(b.Flop / 7 / 1e6, b.Gflops, 9);
    }

    [Fact]
    public void AnalysisRefusesATimelineWithoutSteps()
    {
        var e = Assert.Throws<SbvaeException>(() => StepProfile.Analyse([[F("a", 1)]], "sbd", "fp32", false, 1, 16, 1, []));
        Assert.Contains("no training step", e.Message);
    }

    [Theory]
    [InlineData(DecoderKind.Sbd)]
    [InlineData(DecoderKind.Deconv)]
    public void StampsChangeNeitherLossNorGradients(DecoderKind decoder)
    {
        set_num_threads(1);
        using var images = TrainingSetup.ToTrainingImages(TestData.Tiny(), CPU);
        using var model = TrainingSetup.BuildModel(new ModelConfig { Decoder = decoder, Latent = 3, ImageSize = 16 }, 2, CPU);
        model.Compute = ComputeOptions.For(PrecisionSupport.CpuHasNativeBf16 ? Precision.Bf16 : Precision.Fp32);
        var x = images.Batch([0, 1, 2, 3]);
        var eps = randn(4, 3, generator: new TorchSharp.torch.Generator(7));
        (float Loss, Tensor[] Grads) Step()
        {
            using var terms = model.Loss(x, eps);
            var grads = autograd.grad([terms.Loss], [.. model.parameters()]);
            return (terms.Loss.item<float>(), [.. grads.Select(g => g.contiguous().clone())]);
        }
        var plain = Step();
        StepTimeline.Start(model);
        try
        {
            var stamped = Step();
            Assert.Equal(plain.Loss, stamped.Loss);
            for (int i = 0; i < plain.Grads.Length; i++) Assert.True(plain.Grads[i].eq(stamped.Grads[i]).all().item<bool>(), $"gradient {i} differs");
            var events = StepTimeline.Threads().SelectMany(t => t).ToList();
            // Every layer with weights was stamped going forward and coming back (the encoder's first: forward only),
            // but the heads where the encoder-head kernel computes them with the 256-unit layer.
            bool headKernel = model.Compute.HeadKernel && model.Compute.Precision == Precision.Bf16 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
            string[] heads = ["encoder.fc_mu.0", "encoder.fc_log_var.0"];
            foreach (var layer in ModelFlops.Layers(model.Config))
            {
                if (headKernel && heads.Contains(layer.Name))
                {
                    Assert.DoesNotContain(events, e => e.Label == layer.Name);
                    continue;
                }
                Assert.Contains(events, e => e.Label == layer.Name && e.Kind == TimelineEventKind.Forward);
                if (layer.NeedsInputGradient) Assert.Contains(events, e => e.Label == layer.Name && e.Kind == TimelineEventKind.Backward);
            }
        }
        finally
        {
            StepTimeline.Stop();
            StepTimeline.Clear();
        }
        using var off = zeros(2);
        Assert.Same(off, StepTimeline.Mark(off, "anything")); // off: no node, no copy
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public void AProfileAccountsForEveryLayerAndTheWholeStep(string precision)
    {
        if (precision == "bf16" && !PrecisionSupport.CpuHasNativeBf16) return; // bf16 is refused where the CPU lacks it
        var p = StepProfile.Measure(DecoderKind.Deconv, new ProfileOptions { Steps = 3, Warmup = 2, Batch = 8, Threads = 2, Precision = precision });
        Assert.Equal(3, p.Steps);
        Assert.Equal(precision, p.Precision);
        Assert.Equal(precision == "bf16", p.Split); // the bf16 path splits the batch, fp32 does not
        Assert.Equal(p.Split ? 4 : 8, p.ShareImages);
        Assert.Equal(p.Split ? 1 : 0, p.OtherSharesMs.Count);
        Assert.All(p.OtherSharesLateMs, late => Assert.True(late >= 0));
        var expected = ModelFlops.Layers(new ModelConfig { Decoder = DecoderKind.Deconv }).Select(l => l.Name).Append(StepTimeline.LossLabel);
        Assert.Equal(expected.Order(), p.Layers.SelectMany(l => l.Includes.Prepend(l.Layer)).Order()); // each layer once, in its own row or its kernel's
        if (p.Layers.FirstOrDefault(l => l.Includes.Count > 0) is { } fused)
        {
            // Only the encoder-head kernel leaves layers unstamped; their arithmetic counts in its row.
            Assert.Equal("encoder.encoder_conv.9", fused.Layer);
            Assert.Equal(["encoder.fc_mu.0", "encoder.fc_log_var.0"], fused.Includes);
            var flops = ModelFlops.Layers(new ModelConfig { Decoder = DecoderKind.Deconv }).ToDictionary(l => l.Name);
            Assert.Equal(2.0 * p.ShareImages * (3 * flops["encoder.encoder_conv.9"].MultiplyAdds + 3 * flops["encoder.fc_mu.0"].MultiplyAdds + 3 * flops["encoder.fc_log_var.0"].MultiplyAdds), fused.Flop, 6);
        }
        Assert.All(p.Layers, l => Assert.True(l.ForwardMs > 0 && l.BackwardMs > 0, $"{l.Layer}: {l.ForwardMs} / {l.BackwardMs}"));
        Assert.True(p.Layers.Sum(l => l.TotalMs) <= p.ShareMs + 1e-9);
        Assert.Equal(p.StepMs, p.BatchMs + p.ShareMs + p.WaitMs + p.UpdateMs, 6);
        Assert.True(p.UpdateMs > 0);
        Assert.Empty(StepTimeline.Threads()); // cleared afterwards
        Assert.False(StepTimeline.Enabled);
    }
}
