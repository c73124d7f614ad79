namespace Sbvae.Tests.CliTests;

/// <summary>`train`'s last line says how far training went: whole epochs, a part of one, or less than one.</summary>
public class TrainDoneLineTests
{
    [Theory]
    [InlineData(2, "done: 2 steps (less than one epoch), final kl ")]
    [InlineData(9, "done: 1 epoch (9 steps), final kl ")]
    [InlineData(11, "done: 11 steps (1 epoch and 2 steps of the next), final kl ")]
    public void TheDoneLineCountsStepsAndEpochs(int steps, string expected)
    {
        string root = TestData.TempDir("done-line");
        string dataset = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(dataset);   // 72 images: 9 steps of 8 per epoch
        var r = Cli.Run("train", "--steps", steps.ToString(), "--latent", "3", "--batch", "8", "--threads", "1",
            "--no-tensorboard", "--dataset", dataset, "--out", Path.Combine(root, "run"));
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith(expected, r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }
}
