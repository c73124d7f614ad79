using SkiaSharp;

namespace Sbvae.Tests.CliTests;

/// <summary>The image-folder options reach every command that reads --dataset, and a run reads its folder back as it trained on it.</summary>
public class ImageFolderOptionsTests
{
    static string Folder(string root)
    {
        string dir = Path.Combine(root, "images");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        for (int i = 0; i < 4; i++)
        {
            using var bitmap = new SKBitmap(40 + 10 * i, 48);
            bitmap.Erase(new SKColor((byte)(60 * i), 200, 30));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(dir, i % 2 == 0 ? "" : "sub", $"{i}.png"), png.ToArray());
        }
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
        return dir;
    }

    [Fact]
    public void A_run_trained_with_folder_options_reads_its_folder_back_the_same_way()
    {
        string root = TestData.TempDir("folder-options");
        string dir = Folder(root), cache = Path.Combine(root, "cache"), run = Path.Combine(root, "run");
        var r = Cli.Run("train", "--decoder", "deconv", "--epochs", "1", "--latent", "2", "--batch", "2", "--threads", "1",
            "--dataset", dir, "--img-size", "32", "--channels", "1", "--cache-dir", cache, "--no-tensorboard", "--out", run);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Single(Directory.GetFiles(cache, "*.imgs"));
        // encode takes the run's --img-size 32 (its model expects 32-pixel images) and cache folder.
        r = Cli.Run("encode", run, "--out", Path.Combine(root, "codes.npz"));
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Single(Directory.GetFiles(cache, "*.imgs"));
        r = Cli.Run("reconstruct", run, "--dataset", dir, "--img-size", "64", "--cache-dir", cache, "--out", Path.Combine(root, "recon.npz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("64-pixel images but the model", r.Err);
        // Options that only say where the cache is and what to skip may change on resume.
        r = Cli.Run("train", "--resume", run, "--epochs", "2", "--cache-dir", Path.Combine(root, "cache2"), "--skip-bad-images", "--no-tensorboard");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Single(Directory.GetFiles(Path.Combine(root, "cache2"), "*.imgs"));
        r = Cli.Run("train", "--resume", run, "--epochs", "3", "--img-size", "16");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--img-size cannot change when a run resumes", r.Err);
    }

    [Fact]
    public void Folder_shape_options_are_refused_for_a_file()
    {
        string root = TestData.TempDir("folder-options-file");
        string npz = Path.Combine(root, "tiny.npz");
        TestData.Tiny().Save(npz);
        var r = Cli.Run("train", "--dataset", npz, "--img-size", "32", "--out", Path.Combine(root, "run"));
        Assert.Equal((2, "sbvae: error: --img-size applies to a folder of images only (--dataset DIR)"), (r.ExitCode, r.Err.Trim()));
        r = Cli.Run("train", "--dataset", npz, "--channels", "1", "--out", Path.Combine(root, "run"));
        Assert.Contains("--channels applies to a folder of images only", r.Err);
    }
}
