using System.Buffers.Binary;
using System.Text;
using Sbvae.Models;
using Sbvae.Runs;
using Sbvae.Training;

namespace Sbvae.Tests.Runs;

public class TensorBoardLogTests
{
    static RunConfig Config(int epochs) => new(
        new ModelConfig { Decoder = DecoderKind.Sbd, Latent = 3, ImageSize = 16 },
        new TrainConfig { Epochs = epochs, Batch = 8, Seed = 7, Threads = 1 });

    [Fact]
    public void TrainingWritesEventsAndAResumeLogsOnlyLaterSteps()
    {
        var data = TestData.Tiny(); // 72 images, batch 8: 9 steps an epoch
        string dir = Path.Combine(TestData.TempDir("tensorboard"), "run");
        var cancel = TestContext.Current.CancellationToken;
        TrainingSession.Start(dir, Config(2), data, cancel: cancel, tensorboardEvery: 4);

        var first = Assert.Single(Directory.GetFiles(TensorBoardLog.Dir(dir), "events.out.tfevents.*"));
        var events = EventFile.Read(first);
        Assert.Contains(events, e => e.FileVersion == "brain.Event:2");
        var scalars = events.SelectMany(e => e.Values.Select(v => (e.Step, v.Tag, v.Value))).ToList();
        Assert.All(scalars, s => Assert.True(float.IsFinite(s.Value), s.Tag));
        foreach (var tag in new[] { "kl", "reconstruction", "loss", "mse", "images_per_second" })
        {
            Assert.Equal([4L, 8, 12, 16], Steps(scalars, $"train/{tag}"));
            Assert.Equal([9L, 18], Steps(scalars, $"epoch/{tag}"));
        }
        foreach (var z in new[] { "z0", "z1", "z2" }) Assert.Equal([9L, 18], Steps(scalars, $"latent_kl/{z}"));
        Assert.All(scalars.Where(s => s.Tag.StartsWith("latent_kl/")), s => Assert.True(s.Value >= 0));
        var grids = events.SelectMany(e => e.Images.Select(i => (e.Step, i))).ToList();
        Assert.Equal([9L, 18], grids.Where(g => g.i.Tag == "reconstructions").Select(g => g.Step).Order());
        Assert.Equal([9L, 18], grids.Where(g => g.i.Tag == "traversals").Select(g => g.Step).Order());
        Assert.All(grids, g =>
        {
            // reconstructions: 8 images of 16 px above their reconstructions; traversals: 3 latents × 7 values
            Assert.Equal(g.i.Tag == "reconstructions" ? (32, 128) : (3 * 16, 7 * 16), (g.i.Height, g.i.Width));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], g.i.Encoded.Take(4));
        });
        var csv = File.ReadAllLines(Path.Combine(dir, "losses.csv"));
        int klColumn = Array.IndexOf(csv[0].Split(','), "kl");
        double kl2 = double.Parse(csv[2].Split(',')[klColumn], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((float)kl2, scalars.Single(s => s.Tag == "epoch/kl" && s.Step == 18).Value);

        TrainingSession.Resume(dir, data, epochs: 3, cancel: cancel, tensorboardEvery: 4);
        var second = Assert.Single(Directory.GetFiles(TensorBoardLog.Dir(dir), "events.out.tfevents.*"), f => f != first);
        var later = EventFile.Read(second).SelectMany(e => e.Values.Select(v => (e.Step, v.Tag, v.Value))).ToList();
        Assert.All(later, s => Assert.True(s.Step > 18, $"{s.Tag} at step {s.Step}"));
        Assert.Equal([20L, 24], Steps(later, "train/kl"));
        Assert.Equal([27L], Steps(later, "epoch/kl"));
        Assert.Equal(events.Count, EventFile.Read(first).Count); // the first file is left as it was
    }

    [Fact]
    public void ZeroIntervalWritesNoEvents()
    {
        string dir = Path.Combine(TestData.TempDir("no-tensorboard"), "run");
        TrainingSession.Start(dir, Config(1), TestData.Tiny(), cancel: TestContext.Current.CancellationToken, tensorboardEvery: 0);
        Assert.True(File.Exists(Path.Combine(dir, "losses.csv")));
        Assert.False(Directory.Exists(TensorBoardLog.Dir(dir)));
    }

    static long[] Steps(List<(long Step, string Tag, float Value)> scalars, string tag) =>
        [.. scalars.Where(s => s.Tag == tag).Select(s => s.Step).Order()];
}

/// <summary>A small reader of TensorBoard event files: TFRecord framing with both CRCs checked, and enough of Event.</summary>
static class EventFile
{
    public sealed record Event(double WallTime, long Step, string? FileVersion, List<(string Tag, float Value)> Values, List<Image> Images);
    public sealed record Image(string Tag, int Height, int Width, byte[] Encoded);

    public static List<Event> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int at = 0;
        while (at < bytes.Length)
        {
            Assert.True(bytes.Length - at >= 12, "truncated record header");
            var lengthBytes = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            Assert.Equal(MaskedCrc(lengthBytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)));
            at += 12;
            Assert.True((ulong)(bytes.Length - at) >= length + 4, "truncated record");
            var data = bytes.AsSpan(at, (int)length);
            Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + (int)length, 4)));
            events.Add(ParseEvent(data.ToArray()));
            at += (int)length + 4;
        }
        return events;
    }

    static Event ParseEvent(byte[] data)
    {
        double wall = 0; long step = 0; string? version = null; var values = new List<(string, float)>(); var images = new List<Image>();
        foreach (var (field, wire, start, len, varint) in Fields(data))
        {
            if (field == 1 && wire == 1) wall = BitConverter.ToDouble(data, start);
            else if (field == 2 && wire == 0) step = (long)varint;
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(data, start, len);
            else if (field == 5 && wire == 2)
                foreach (var v in Fields(data[start..(start + len)]).Where(f => f.Field == 1 && f.Wire == 2))
                {
                    var (tag, value, image) = ParseValue(data[(start + v.Start)..(start + v.Start + v.Length)]);
                    if (image is not null) images.Add(image with { Tag = tag });
                    else values.Add((tag, value));
                }
        }
        return new Event(wall, step, version, values, images);
    }

    /// <summary>Summary.Value: tag (1), simple_value (2) or image (4: height 1, width 2, encoded_image_string 4).</summary>
    static (string, float, Image?) ParseValue(byte[] data)
    {
        string tag = ""; float value = float.NaN; Image? image = null;
        foreach (var (field, wire, start, len, _) in Fields(data))
        {
            if (field == 1 && wire == 2) tag = Encoding.UTF8.GetString(data, start, len);
            else if (field == 2 && wire == 5) value = BitConverter.ToSingle(data, start);
            else if (field == 4 && wire == 2)
            {
                var body = data[start..(start + len)];
                int h = 0, w = 0; byte[] encoded = [];
                foreach (var f in Fields(body))
                {
                    if (f.Field == 1) h = (int)f.Varint;
                    else if (f.Field == 2) w = (int)f.Varint;
                    else if (f.Field == 4) encoded = body[f.Start..(f.Start + f.Length)];
                }
                image = new Image("", h, w, encoded);
            }
        }
        return (tag, value, image);
    }

    /// <summary>The top-level fields of a protobuf message: number, wire type, payload offset and length, varint value.</summary>
    static IEnumerable<(int Field, int Wire, int Start, int Length, ulong Varint)> Fields(byte[] data)
    {
        int at = 0;
        while (at < data.Length)
        {
            ulong key = Varint(data, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: { ulong v = Varint(data, ref at); yield return (field, wire, at, 0, v); break; }
                case 1: yield return (field, wire, at, 8, 0); at += 8; break;
                case 5: yield return (field, wire, at, 4, 0); at += 4; break;
                case 2: { int len = (int)Varint(data, ref at); yield return (field, wire, at, len, 0); at += len; break; }
                default: throw new InvalidDataException($"unexpected wire type {wire}");
            }
        }
    }

    static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffffu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
        }
        return ~crc;
    }
}
