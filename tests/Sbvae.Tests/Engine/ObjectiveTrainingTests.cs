using Sbvae.Engine;
using Sbvae.Models;
using Sbvae.Objectives;
using Sbvae.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Tests.Engine;

/// <summary>
/// The objectives in training: the batch split across cores computes each objective's step as the whole
/// batch does, FactorVAE's discriminator update leaves the VAE alone, and β-VAE with the Gaussian
/// likelihood stays the reference computation.
/// </summary>
public class ObjectiveTrainingTests
{
    const double Tolerance = 1e-5; // fp32, only the order of summation differs

    /// <summary>A small config for <paramref name="objective"/> with hyperparameters that make its regulariser count.</summary>
    static ModelConfig Config(DecoderKind decoder, string objective, string likelihood) => new ModelConfig
    {
        Decoder = decoder, Latent = 3, ImageSize = 16, Objective = objective, Likelihood = likelihood,
    } with
    {
        Beta = objective is "betavae" or "betatcvae" ? 4 : 1,
        Gamma = objective switch { "factorvae" => 20, "annealed" => 50, _ => null },
        LambdaOd = objective.StartsWith("dipvae") ? 5 : null,
        CapacityMax = objective == "annealed" ? 10 : null,
        CapacitySteps = objective == "annealed" ? 3 : null, // C > 0 from the second step
    };

    sealed record Outcome(
        List<StepProgress> Steps, double LossSum, Dictionary<string, double> TermSums,
        Dictionary<string, Tensor> Grads, Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Discriminator, Dictionary<string, Tensor> DiscriminatorGrads) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in Grads.Values.Concat(Weights.Values).Concat(Discriminator.Values).Concat(DiscriminatorGrads.Values)) t.Dispose();
        }
    }

    /// <summary>
    /// <paramref name="steps"/> steps on the 72 tiny images, batch 5 (shares of 2 and 3 on 2 threads), seed 5;
    /// the progress and epoch sums, the last step's gradients, and the weights (the discriminator's too) after it.
    /// </summary>
    static Outcome Train(ModelConfig config, bool split, int steps)
    {
        set_num_threads(2);
        using var images = TrainingImages.From(TestData.Tiny(), CPU);
        using var model = ModelBuilder.Build(config, 5, CPU);
        using var trainer = new Trainer(model, images, new TrainConfig { Epochs = 2, Batch = 5, LearningRate = 1e-3, Seed = 5 },
            options: EngineOptions.For(Precision.Fp32) with { SplitBatch = split });
        var progress = new List<StepProgress>();
        using var cancel = new CancellationTokenSource();
        trainer.StepCompleted += p =>
        {
            progress.Add(p);
            if (progress.Count == steps) cancel.Cancel();
        };
        Assert.False(trainer.Run(cancel.Token));
        var named = model.named_parameters().ToList();
        return new Outcome(progress, trainer.State.EpochLossSum, trainer.State.EpochTermSums,
            named.ToDictionary(p => p.name, p => p.parameter.grad!.clone()),
            named.ToDictionary(p => p.name, p => p.parameter.detach().clone()),
            trainer.Objective.Critic?.Discriminator.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone()) ?? [],
            trainer.Objective.Critic?.Discriminator.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()) ?? []);
    }

    static double RelativeError(Tensor actual, Tensor expected)
    {
        using var diff = actual - expected;
        return diff.norm().item<float>() / Math.Max(expected.norm().item<float>(), 1e-12);
    }

    static bool Same(Tensor a, Tensor b)
    {
        using var detached = a.detach();
        return detached.equal(b).all().item<bool>();
    }

    static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Max(Math.Abs(expected), 1e-6), $"{what}: split {actual}, whole {expected}");

    public static TheoryData<DecoderKind, string, string> EveryObjective => new()
    {
        { DecoderKind.Sbd, "betavae", "bernoulli" },
        { DecoderKind.Sbd, "betavae", "laplace" },
        { DecoderKind.Sbd, "factorvae", "gaussian" },
        { DecoderKind.Deconv, "factorvae", "gaussian" },
        { DecoderKind.Deconv, "factorvae", "bernoulli" },
        { DecoderKind.Sbd, "betatcvae", "gaussian" },
        { DecoderKind.Sbd, "dipvae1", "gaussian" },
        { DecoderKind.Deconv, "dipvae2", "laplace" },
        { DecoderKind.Sbd, "annealed", "gaussian" },
        { DecoderKind.Deconv, "annealed", "bernoulli" },
    };

    [Theory, MemberData(nameof(EveryObjective))]
    public void SplitStepIsTheWholeBatchStep(DecoderKind decoder, string objective, string likelihood)
    {
        var config = Config(decoder, objective, likelihood);
        Assert.False(config.HasReferenceObjective()); // the split's objective path, not the reference's
        using var whole = Train(config, split: false, steps: 2);
        using var split = Train(config, split: true, steps: 2);

        Assert.Equal(2, whole.Steps.Count);
        Assert.Equal(2, split.Steps.Count);
        for (int i = 0; i < 2; i++)
        {
            Close(whole.Steps[i].Kl, split.Steps[i].Kl, $"step {i + 1} kl");
            Close(whole.Steps[i].Reconstruction, split.Steps[i].Reconstruction, $"step {i + 1} reconstruction");
        }
        Close(whole.LossSum, split.LossSum, "loss");
        // The same logged terms: mse and the objective's own (tc, dip, capacity, the discriminator's loss and accuracy).
        Assert.Equal(whole.TermSums.Keys.Order(), split.TermSums.Keys.Order());
        Assert.Contains("mse", whole.TermSums.Keys);
        foreach (var (name, value) in whole.TermSums) Close(value, split.TermSums[name], name);

        Assert.Equal(objective == "factorvae", whole.Discriminator.Count > 0);
        // The second step's gradients (from the weights after the first) and the weights after it.
        Assert.Equal(whole.Grads.Keys, split.Grads.Keys);
        foreach (var (name, g) in whole.Grads)
        {
            double error = RelativeError(split.Grads[name], g);
            Assert.True(error < Tolerance, $"gradient of {name}: {error}");
        }
        Assert.Contains(whole.Grads.Values, g => g.abs().max().item<float>() > 0);
        foreach (var (name, w) in whole.Weights)
        {
            double error = RelativeError(split.Weights[name], w);
            Assert.True(error < Tolerance, $"weights of {name}: {error}");
        }
        // The discriminator trained on the same codes: the same gradients for its last update, and the same weights,
        // measured as one vector. (Its biases start at zero, and Adam scales each element's step to about lr whatever
        // its gradient, so in a bias alone an element whose batch sum nearly cancels makes fp32 rounding a visible part
        // of two steps' movement.)
        foreach (var (name, g) in whole.DiscriminatorGrads)
        {
            double error = RelativeError(split.DiscriminatorGrads[name], g);
            Assert.True(error < Tolerance, $"discriminator gradient of {name}: {error}");
        }
        if (whole.Discriminator.Count > 0)
        {
            using var w = cat(whole.Discriminator.Values.Select(t => t.flatten()).ToList(), 0);
            using var s = cat(whole.Discriminator.Keys.Select(k => split.Discriminator[k].flatten()).ToList(), 0);
            double error = RelativeError(s, w);
            Assert.True(error < Tolerance, $"discriminator weights: {error}");
        }
    }

    [Fact]
    public void TheSplitStepsRegulariserSeesTheWholeBatch()
    {
        // Control for the test above: a regulariser computed per share instead of on the gathered codes
        // would give another loss. β-TCVAE's estimate over the two shares apart is not the batch's.
        manual_seed(3);
        using var mu = randn(5, 3);
        using var logVar = randn(5, 3).mul(0.3);
        using var z = randn(5, 3);
        var tc = new BetaTcVae(4, 72);
        using var kl = LossTerms.KlDivergence(mu, logVar);
        using var whole = tc.Regularizer(mu, logVar, z, kl, 0).Loss;
        using var first = tc.Regularizer(mu[..2], logVar[..2], z[..2], kl[..2], 0).Loss;
        using var second = tc.Regularizer(mu[2..], logVar[2..], z[2..], kl[2..], 0).Loss;
        double perShare = 0.4 * first.item<float>() + 0.6 * second.item<float>();
        Assert.True(Math.Abs(perShare - whole.item<float>()) > 1e-3, $"{perShare} vs {whole.item<float>()}");
    }

    [Fact]
    public void TheDiscriminatorsUpdateDoesNotReachTheVae()
    {
        using var model = ModelBuilder.Build(new ModelConfig { Latent = 3, ImageSize = 16, Objective = "factorvae" }, 5, CPU);
        using var critic = new FactorVaeCritic(ModelBuilder.BuildDiscriminator(3, 5, CPU), 5);
        using var images = TrainingImages.From(TestData.Tiny(), CPU);
        using var x = images.Batch([0, 1, 2, 3, 4, 5, 6, 7]);
        using var eps = model.Noise(8, CPU, new Generator(9));
        var (z, mu, logVar) = model.Encode(x, eps);
        using (z) using (mu) using (logVar)
        {
            Assert.True(z.requires_grad); // the encoder's graph is attached
            Assert.False(z.is_leaf);
            var vaeBefore = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
            var discriminatorBefore = critic.Discriminator.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

            var (loss, accuracy) = critic.Update(z, step: 0);
            Assert.True(double.IsFinite(loss));
            Assert.InRange(accuracy, 0, 1);
            foreach (var (name, p) in model.named_parameters())
            {
                Assert.True(p.grad is null, $"{name} got a gradient from the discriminator's update");
                Assert.True(Same(p, vaeBefore[name]), $"{name} changed");
            }
            Assert.All(critic.Discriminator.named_parameters(), p => Assert.False(Same(p.parameter, discriminatorBefore[p.name]), $"{p.name} did not change"));

            // With the VAE's gradients already there (its backward comes first in a step), the update leaves them as they are.
            using (var s = z.square().sum()) s.backward();
            var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
                .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            Assert.NotEmpty(grads); // the encoder's, through z
            vaeBefore = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
            critic.Update(z, step: 1);
            foreach (var (name, p) in model.named_parameters())
            {
                if (grads.TryGetValue(name, out var g)) Assert.True(Same(p.grad!, g), $"{name}'s gradient changed");
                else Assert.True(p.grad is null, $"{name} got a gradient from the discriminator's update");
                Assert.True(Same(p, vaeBefore[name]), $"{name} changed");
            }
        }
    }

    [Theory]
    [InlineData(DecoderKind.Sbd, 1.0)]
    [InlineData(DecoderKind.Deconv, 1.0)]
    [InlineData(DecoderKind.Sbd, 4.0)]
    public void BetaVaeWithTheGaussianIsTheReferenceComputation(DecoderKind decoder, double beta)
    {
        var config = new ModelConfig { Decoder = decoder, Latent = 3, ImageSize = 16, Beta = beta, Variance = 0.2 };
        set_num_threads(1);
        using var images = TrainingImages.From(TestData.Tiny(), CPU);
        using var x = images.Batch([3, 1, 4, 1, 5, 9, 2]);
        using var model = ModelBuilder.Build(config, 7, CPU);
        using var eps = model.Noise(7, CPU, new Generator(8));
        using var objective = TrainingObjective.For(config, 72, 100, 7, () => throw new InvalidOperationException("no discriminator for betavae"));
        Assert.True(objective.IsReference);

        using var expected = model.Loss(x, eps); // before the step changes the weights
        using var adam = optim.Adam(model.parameters(), lr: 1e-3);
        using var engine = new PlainEngine(model, adam, objective);
        StepSums? sums;
        using (engine.Start()) sums = engine.Step(x, eps, 0);
        Assert.NotNull(sums);
        Assert.Equal(expected.Loss.item<float>() * 7.0, sums.Loss); // bit for bit: the same float, times the batch
        Assert.Equal((double)expected.Kl.sum().item<float>(), sums.Kl);
        Assert.Equal((double)expected.Reconstruction.sum().item<float>(), sums.Reconstruction);
        Assert.Equal(["mse"], sums.Terms.Keys);
    }

    [Fact]
    public void OnlyBetaVaeWithTheGaussianIsTheReference()
    {
        foreach (string objective in ModelConfig.ObjectiveNames)
            foreach (string likelihood in ModelConfig.LikelihoodNames)
            {
                var config = new ModelConfig { Latent = 3, ImageSize = 16, Objective = objective, Likelihood = likelihood };
                using var training = TrainingObjective.For(config, 72, 100, 1, () => new FactorVaeDiscriminator(3));
                bool reference = objective == "betavae" && likelihood == "gaussian";
                Assert.True(reference == training.IsReference, $"{objective} + {likelihood}");
                Assert.Equal(reference, config.HasReferenceObjective());
                Assert.Equal(objective, training.Objective.Name);
                Assert.Equal(likelihood, training.Likelihood.Name);
                Assert.Equal(objective == "factorvae", training.Critic is not null);
            }
    }
}
