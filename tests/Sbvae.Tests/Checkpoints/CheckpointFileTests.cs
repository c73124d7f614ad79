using Sbvae.Checkpoints;
using Sbvae.Models;
using Sbvae.Training;

namespace Sbvae.Tests.Checkpoints;

public class CheckpointFileTests
{
    static string SavedCheckpoint(DecoderKind decoder = DecoderKind.Sbd, int latent = 3)
    {
        string dir = TestData.TempDir("ckpt");
        string path = Path.Combine(dir, "checkpoint.safetensors");
        var config = new RunConfig(new ModelConfig { Decoder = decoder, Latent = latent, ImageSize = 16 }, new TrainConfig());
        using var model = new Vae(config.Model);
        Checkpoint.Save(path, model, null, config, new TrainingState());
        return path;
    }

    [Fact]
    public void TruncatedFileIsRejectedWithOneLine()
    {
        string path = SavedCheckpoint();
        byte[] all = File.ReadAllBytes(path);
        foreach (int keep in new[] { 0, 4, 9, all.Length / 2, all.Length - 1 })
        {
            File.WriteAllBytes(path, all[..keep]);
            var e = Assert.Throws<SbvaeException>(() => Checkpoint.Load(path));
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void FlippedDataByteFailsTheChecksum()
    {
        string path = SavedCheckpoint();
        byte[] all = File.ReadAllBytes(path);
        all[^10] ^= 0x40;
        File.WriteAllBytes(path, all);
        var e = Assert.Throws<SbvaeException>(() => Checkpoint.Load(path));
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void HugeHeaderLengthIsRejectedBeforeAllocating()
    {
        string path = SavedCheckpoint();
        byte[] all = File.ReadAllBytes(path);
        BitConverter.GetBytes(long.MaxValue - 3).CopyTo(all, 0);
        File.WriteAllBytes(path, all);
        Assert.Throws<SbvaeException>(() => Checkpoint.Load(path));
    }

    [Fact]
    public void MismatchedDecoderOrLatentSizeIsNamed()
    {
        var ck = Checkpoint.Load(SavedCheckpoint(DecoderKind.Sbd, 3));
        using var deconv = new Vae(new ModelConfig { Decoder = DecoderKind.Deconv, Latent = 3, ImageSize = 16 });
        Assert.Contains("different decoder", Assert.Throws<SbvaeException>(() => ck.LoadInto(deconv)).Message);
        using var k5 = new Vae(new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 5, ImageSize = 16 });
        Assert.Contains("latent size", Assert.Throws<SbvaeException>(() => ck.LoadInto(k5)).Message);
    }

    [Fact]
    public void AFileThatIsNotACheckpointIsNamed()
    {
        string path = Path.Combine(TestData.TempDir("notckpt"), "x.safetensors");
        SafeTensors.Write(path, [("w", RawTensor.FromFloats([1f, 2f], [2]))]);
        Assert.Contains("not an sbvae checkpoint", Assert.Throws<SbvaeException>(() => Checkpoint.Load(path)).Message);
    }
}
