using System.Net;
using System.Text.Json;
using Sbvae.Checkpoints;
using Sbvae.Explorer;
using Sbvae.Figures;
using SkiaSharp;

namespace Sbvae.Tests.ExplorerTests;

/// <summary>The explorer's HTTP endpoints without a browser: what they answer, and what they refuse.</summary>
public class ExplorerEndpointTests(ExplorerServers servers) : IClassFixture<ExplorerServers>
{
    Uri Url(string pathAndQuery) => new(servers.Pair.Url, pathAndQuery);

    async Task<(HttpStatusCode Status, string Body)> Get(string pathAndQuery)
    {
        using var r = await servers.Http.GetAsync(Url(pathAndQuery), TestContext.Current.CancellationToken);
        return (r.StatusCode, await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/api/decode?model=0&z=0,0", "k = 3")]
    [InlineData("/api/decode?model=0&z=0,0,0,0", "k = 3")]
    [InlineData("/api/decode?model=1&z=0,0,0", "k = 4")]
    [InlineData("/api/decode?model=0&z=NaN,0,0", "not finite")]
    [InlineData("/api/decode?model=0&z=0,Infinity,0", "not finite")]
    [InlineData("/api/decode?model=0&z=0,0,1e39", "not finite")]
    [InlineData("/api/decode?model=0&z=0,0,10.5", "outside")]
    [InlineData("/api/decode?model=0&z=-11,0,0", "outside")]
    [InlineData("/api/decode?model=0&z=0,abc,0", "not a number")]
    [InlineData("/api/decode?model=0&z=0,,0", "not a number")]
    [InlineData("/api/decode?model=0", "missing 'z'")]
    [InlineData("/api/decode?model=2&z=0,0,0", "out of range")]
    [InlineData("/api/decode?model=-1&z=0,0,0", "non-negative integer")]
    [InlineData("/api/decode?model=0&model=1&z=0,0,0", "2 times")]
    [InlineData("/api/image?index=72", "out of range")]
    [InlineData("/api/image?index=-1", "non-negative integer")]
    [InlineData("/api/image?index=1.5", "non-negative integer")]
    [InlineData("/api/image?index=99999999999", "non-negative integer")]
    [InlineData("/api/image", "missing 'index'")]
    [InlineData("/api/encode?model=0&index=72", "out of range")]
    [InlineData("/api/reconstruct?model=5&index=0", "out of range")]
    [InlineData("/api/sample?model=2", "out of range")]
    [InlineData("/api/factors?start=0&count=1001", "out of range")]
    public async Task A_bad_request_gets_400_with_a_short_reason(string request, string reason)
    {
        var (status, body) = await Get(request);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, body);
        Assert.DoesNotContain("\n", body.Trim());
        Assert.True(body.Length < 120, body);
    }

    [Theory]
    [InlineData("/../../etc/passwd")]
    [InlineData("/wwwroot/index.html")]
    [InlineData("/Sbvae.Explorer.dll")]
    [InlineData("/api/image/0")]
    public async Task Nothing_but_its_own_assets_and_endpoints_is_served(string path)
    {
        var (status, _) = await Get(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task The_page_and_its_assets_come_from_the_assembly()
    {
        foreach (var (path, type, marker) in new[] { ("/", "text/html", "explorer.js"), ("/explorer.js", "text/javascript", "/api/decode"), ("/explorer.css", "text/css", ".panel") })
        {
            using var r = await servers.Http.GetAsync(Url(path), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.StartsWith(type, r.Content.Headers.ContentType!.ToString());
            Assert.Contains(marker, await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Contains("default-src 'self'", r.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public async Task A_request_addressed_to_another_host_name_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/api/info"));
        request.Headers.Host = "attacker.example";
        using var r = await servers.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    [Fact]
    public async Task Info_orders_each_models_latents_by_KL_and_marks_the_collapsed()
    {
        using var info = JsonDocument.Parse((await Get("/api/info")).Body);
        var d = info.RootElement.GetProperty("dataset");
        Assert.Equal(72, d.GetProperty("count").GetInt32());
        Assert.Equal(16, d.GetProperty("size").GetInt32());
        Assert.Equal(servers.Runs.Tiny.FactorNames, d.GetProperty("factorNames").EnumerateArray().Select(e => e.GetString()!));
        var models = info.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal([3, 4], models.Select(m => m.GetProperty("latent").GetInt32()));
        Assert.Equal(["sbd", "deconv"], models.Select(m => m.GetProperty("run").GetString()!));
        foreach (var m in models)
        {
            var kl = m.GetProperty("kl").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var order = m.GetProperty("order").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var collapsed = m.GetProperty("collapsed").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
            Assert.Equal(Enumerable.Range(0, kl.Length), order.Order());
            for (int i = 1; i < order.Length; i++) Assert.True(kl[order[i - 1]] >= kl[order[i]]);
            Assert.Equal(kl.Select(v => v < ExplorerModel.CollapsedKl), collapsed);
        }
    }

    [Fact]
    public void The_KL_per_latent_is_the_Gaussian_KL_averaged_over_rows()
    {
        // two rows, k = 2: (μ, log σ²) = (1, 0) and (0, log 2) in latent 0; (0, 0) twice in latent 1
        float[] mu = [1, 0, 0, 0], logVar = [0, 0, MathF.Log(2), 0];
        var kl = ExplorerModel.MeanKl(mu, logVar, 2);
        Assert.Equal((0.5 * 1 + 0.5 * (2 - Math.Log(2) - 1)) / 2, kl[0], 6);
        Assert.Equal(0, kl[1], 12);
    }

    [Fact]
    public async Task Encode_answers_the_models_own_mu_for_the_image()
    {
        using var model = TrainedModel.Load(servers.Runs.Sbd);
        using var images = model.Images(servers.Runs.Tiny);
        var (expected, _) = model.Encode(images);
        foreach (int index in new[] { 0, 41, 71 })
        {
            using var doc = JsonDocument.Parse((await Get($"/api/encode?model=0&index={index}")).Body);
            var mu = doc.RootElement.GetProperty("mu").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(expected.AsSpan(index * 3, 3).ToArray(), mu, (a, b) => Math.Abs(a - b) < 1e-5f);
        }
    }

    [Fact]
    public async Task Decode_answers_a_png_of_the_models_decoded_code()
    {
        using var model = TrainedModel.Load(servers.Runs.Deconv);
        float[] z = [0.5f, -1.25f, 2f, 0f];
        var expected = model.Decode(z);
        var bytes = await servers.Http.GetByteArrayAsync(Url("/api/decode?model=1&z=0.5,-1.25,2,0"), TestContext.Current.CancellationToken);
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.Equal((16, 16), (bitmap.Width, bitmap.Height));
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
            {
                var c = bitmap.GetPixel(x, y);
                byte[] rgb = [c.Red, c.Green, c.Blue];
                for (int ch = 0; ch < 3; ch++)
                    Assert.Equal(Raster.ToByte(expected[(ch * 16 + y) * 16 + x]), rgb[ch]);
            }
    }

    [Fact]
    public async Task Concurrent_decodes_of_both_models_each_get_their_own_image()
    {
        // 48 requests at once over 6 codes per model: every answer must equal the one its code gets alone
        var requests = Enumerable.Range(0, 48).Select(i => (i % 12) switch
        {
            < 6 and var j => $"/api/decode?model=0&z={j - 3},{j * 0.5},0.25",
            var j => $"/api/decode?model=1&z=0,{j - 9},1,{(j - 6) * -0.5}",
        }).ToArray();
        var alone = new Dictionary<string, byte[]>();
        foreach (var r in requests.Distinct()) alone[r] = await servers.Http.GetByteArrayAsync(Url(r), TestContext.Current.CancellationToken);
        Assert.Equal(12, alone.Values.Select(Convert.ToBase64String).Distinct().Count());
        var together = await Task.WhenAll(requests.Select(r => servers.Http.GetByteArrayAsync(Url(r), TestContext.Current.CancellationToken)));
        for (int i = 0; i < requests.Length; i++) Assert.Equal(alone[requests[i]], together[i]);
    }

    [Fact]
    public async Task The_sample_holds_every_image_of_a_small_dataset_with_its_factors()
    {
        using var doc = JsonDocument.Parse((await Get("/api/sample?model=1")).Body);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(Enumerable.Range(0, 72).Select(i => (long)i), rows);
        Assert.Equal(72 * 4, doc.RootElement.GetProperty("mu").GetArrayLength());
        var factors = doc.RootElement.GetProperty("factors").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(servers.Runs.Tiny.FactorClasses, factors);
    }

    [Fact]
    public async Task Factors_of_a_page_are_its_rows_classes()
    {
        using var doc = JsonDocument.Parse((await Get("/api/factors?start=64&count=64")).Body);
        var classes = doc.RootElement.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(8, classes.Count);
        int f = servers.Runs.Tiny.NumFactors;
        for (int i = 0; i < 8; i++)
            Assert.Equal(servers.Runs.Tiny.Classes(64 + i).ToArray(), classes[i].EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void A_large_dataset_is_sampled_once_without_repeats()
    {
        var data = new ExplorerData(servers.Runs.Tiny, maxSample: 20);
        Assert.Equal(20, data.Sample.Distinct().Count());
        Assert.Equal(data.Sample.Order(), data.Sample);
        Assert.Equal(data.Sample, new ExplorerData(servers.Runs.Tiny, maxSample: 20).Sample);
    }
}
