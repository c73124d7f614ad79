using Sbvae.Data;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.ExplorerTests;

/// <summary>
/// Tiny trained runs for the explorer's tests, trained once per test process: a spatial broadcast
/// model (k = 3) and a deconv model (k = 4), one epoch each, on 72 images of 16×16 with two factors, and a run on
/// 32-pixel images that no 16-pixel run may be paired with.
/// </summary>
public static class ExplorerRuns
{
    public sealed class Runs
    {
        public readonly string Root = TestData.TempDir("explorer");
        public string Data16 => Path.Combine(Root, "tiny16.npz");
        public string Data32 => Path.Combine(Root, "tiny32.npz");
        public string Sbd => Path.Combine(Root, "sbd");
        public string Deconv => Path.Combine(Root, "deconv");
        public string Run32 => Path.Combine(Root, "run32");
        /// <summary>10 images of 16×16 with no factors, as an image folder's dataset has.</summary>
        public string NoFactors => Path.Combine(Root, "nofactors.npz");
        public ImageDataset Tiny { get; } = TestData.Tiny();

        public Runs()
        {
            Tiny.Save(Data16);
            var data32 = SpriteGenerator.Generate(new SpriteSpec { NumPos = 3, Shapes = ["square"], Sizes = [8], Colors = ["red"], ImgSize = 32 });
            data32.Save(Data32);
            var pixels = new byte[10 * 16 * 16 * 3];
            new Random(1).NextBytes(pixels);
            new ImageDataset(10, 16, 16, 3, pixels, [], [], []).Save(NoFactors);
            Train(Sbd, new ModelConfig { Latent = 3, ImageSize = 16 }, Data16, Tiny);
            Train(Deconv, new ModelConfig { Latent = 4, ImageSize = 16, Decoder = DecoderKind.Deconv }, Data16, Tiny);
            Train(Run32, new ModelConfig { Latent = 2, ImageSize = 32 }, Data32, data32);
        }

        // one epoch: the tests need a model whose code depends on the image and whose image depends on the code, not a good one
        static void Train(string dir, ModelConfig model, string path, ImageDataset data) =>
            TrainingSession.Start(dir, new RunConfig(model, new TrainConfig { Epochs = 1, Batch = 8, Threads = 1, Dataset = path }), data,
                tensorboardEvery: 0);
    }

    static readonly Lazy<Runs> Shared = new(() => new Runs());

    public static Runs Get() => Shared.Value;
}
