using System.Text.Json;
using Microsoft.Playwright;

namespace Sbvae.Tests.ExplorerTests;

/// <summary>The explorer's page in a real browser (Debian's chromium, headless): what a user sees and does.</summary>
public class ExplorerPageTests(ExplorerBrowser browser) : IClassFixture<ExplorerBrowser>
{
    const string SlidersOf = ".panel[data-model='{0}'] input.slider";

    static async Task<float[]> SliderValues(IPage page, int model) =>
        await page.EvalOnSelectorAllAsync<float[]>(string.Format(SlidersOf, model),
            "els => els.sort((a, b) => a.dataset.latent - b.dataset.latent).map(e => Number(e.value))");

    static Task<int[]> DecodedPixels(IPage page, int model) =>
        page.EvalOnSelectorAsync<int[]>($".panel[data-model='{model}'] canvas.decoded",
            "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)");

    static Task<int> Decodes(IPage page, int model) =>
        page.EvalOnSelectorAsync<int>($".panel[data-model='{model}']", "p => Number(p.dataset.decodes)");

    /// <summary>Waits until the panel has decoded more than <paramref name="before"/> codes and has none waiting.</summary>
    static Task Decoded(IPage page, int model, int before) =>
        page.WaitForFunctionAsync($"() => {{ const p = document.querySelector(\".panel[data-model='{model}']\"); return Number(p.dataset.decodes) > {before} && p.dataset.idle === 'true'; }}",
            null, new PageWaitForFunctionOptions { Timeout = 10_000 });

    async Task<float[]> Mu(int model, int index)
    {
        var body = await browser.Servers.Http.GetStringAsync(new Uri(browser.Servers.Pair.Url, $"/api/encode?model={model}&index={index}"), TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(body);
        return [.. doc.RootElement.GetProperty("mu").EnumerateArray().Select(e => e.GetSingle())];
    }

    [Fact]
    public async Task The_page_loads_with_the_grid_and_a_panel_per_model()
    {
        var page = await browser.Open(browser.Servers.Pair.Url);
        Assert.Equal(64, await page.Locator("#grid img").CountAsync());   // page 1 of 72 images
        Assert.Equal("2", await page.InnerTextAsync("#pages"));
        // every thumbnail has loaded a 16×16 image
        await page.WaitForFunctionAsync("() => Array.from(document.querySelectorAll('#grid img')).every(i => i.complete && i.naturalWidth === 16)");
        Assert.Equal(3, await page.Locator(string.Format(SlidersOf, 0)).CountAsync());
        Assert.Equal(4, await page.Locator(string.Format(SlidersOf, 1)).CountAsync());
        // the input's factor values are shown
        Assert.Equal(browser.Servers.Runs.Tiny.NumFactors, await page.Locator("#picked-factors tr").CountAsync());
        await page.ClickAsync("#next");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#grid img').length === 8");
        Assert.Equal("64", await page.GetAttributeAsync("#grid img", "data-index"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_dataset_without_factors_is_browsed_without_them()
    {
        Skip.UnlessChromium();
        using var session = Sbvae.Explorer.ExplorerSession.Open([browser.Servers.Runs.Sbd], browser.Servers.Runs.NoFactors, threads: 1);
        await using var server = await Sbvae.Explorer.ExplorerServer.StartAsync(session);
        var page = await browser.Open(server.Url);   // loads with no script error
        Assert.Equal(10, await page.Locator("#grid img").CountAsync());
        Assert.Equal(0, await page.Locator("#picked-factors tr").CountAsync());
        Assert.Equal(["none"], await page.EvalOnSelectorAllAsync<string[]>(".panel .colour option", "os => os.map(o => o.textContent)"));
        Assert.Contains("no factors", await page.InnerTextAsync("#dataset-info"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_second_models_panel_appears_only_when_two_runs_are_given()
    {
        var single = await browser.Open(browser.Servers.Single.Url);
        Assert.Equal(1, await single.Locator(".panel").CountAsync());
        await single.CloseAsync();
        var pair = await browser.Open(browser.Servers.Pair.Url);
        Assert.Equal(2, await pair.Locator(".panel").CountAsync());
        // the run folder is named after its decoder, so the title names it once
        Assert.Equal("deconv \u00b7 k = 4", await pair.InnerTextAsync(".panel[data-model='1'] h2"));
        // the second panel shows the same input as the first
        Assert.Equal(await pair.EvalOnSelectorAsync<int[]>(".panel[data-model='0'] canvas.input", "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"),
                     await pair.EvalOnSelectorAsync<int[]>(".panel[data-model='1'] canvas.input", "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"));
        await pair.CloseAsync();
    }

    [Fact]
    public async Task Picking_an_image_sets_every_slider_to_its_mu()
    {
        var page = await browser.Open(browser.Servers.Pair.Url);
        for (int model = 0; model < 2; model++)
            Assert.Equal(await Mu(model, 0), await SliderValues(page, model), (a, b) => Math.Abs(a - b) < 1e-4f);
        await page.ClickAsync("#grid img[data-index='41']");
        await page.WaitForSelectorAsync("body[data-picked='41']");
        for (int model = 0; model < 2; model++)
        {
            var (mu, first) = (await Mu(model, 41), await Mu(model, 0));
            Assert.Contains(Enumerable.Range(0, mu.Length), j => Math.Abs(mu[j] - first[j]) > 1e-3f);
            Assert.Equal(mu, await SliderValues(page, model), (a, b) => Math.Abs(a - b) < 1e-4f);
        }
        await page.CloseAsync();
    }

    [Fact]
    public async Task Moving_a_slider_changes_the_decoded_image()
    {
        var page = await browser.Open(browser.Servers.Pair.Url);
        await Decoded(page, 0, 0);
        var before = await DecodedPixels(page, 0);
        int decodes = await Decodes(page, 0);
        // drag the first slider (the largest KL) to its right end, as a user would
        var slider = page.Locator(string.Format(SlidersOf, 0)).First;
        await slider.ScrollIntoViewIfNeededAsync();
        var box = (await slider.BoundingBoxAsync())!;
        float y = box.Y + box.Height / 2;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width - 1, y, new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
        await Decoded(page, 0, decodes);
        float value = await slider.EvaluateAsync<float>("e => Number(e.value)");
        float max = await slider.EvaluateAsync<float>("e => Number(e.max)");
        Assert.True(value > 0.9f * max, $"slider at {value} of {max}");
        Assert.NotEqual(before, await DecodedPixels(page, 0));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Dragging_on_the_pad_decodes_that_point()
    {
        var page = await browser.Open(browser.Servers.Pair.Url);
        await Decoded(page, 1, 0);
        var before = await DecodedPixels(page, 1);
        var mu = await SliderValues(page, 1);
        int decodes = await Decodes(page, 1);
        var pad = page.Locator(".panel[data-model='1'] canvas.pad");
        await pad.ScrollIntoViewIfNeededAsync();
        var box = (await pad.BoundingBoxAsync())!;
        // the top-right corner: both chosen latents at the top of their ranges
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width - 1, box.Y + 1, new MouseMoveOptions { Steps = 5 });
        await page.Mouse.UpAsync();
        await Decoded(page, 1, decodes);
        int a = int.Parse(await pad.EvaluateAsync<string>("c => c.closest('.panel').querySelector('.pad-x').value"));
        int b = int.Parse(await pad.EvaluateAsync<string>("c => c.closest('.panel').querySelector('.pad-y').value"));
        Assert.NotEqual(a, b);
        var after = await SliderValues(page, 1);
        var max = await page.EvalOnSelectorAllAsync<float[]>(string.Format(SlidersOf, 1), "els => els.sort((a, b) => a.dataset.latent - b.dataset.latent).map(e => Number(e.max))");
        Assert.True(after[a] > 0.95f * max[a] && after[b] > 0.95f * max[b], $"z{a} = {after[a]}, z{b} = {after[b]}");
        // the other latents keep the input's μ
        for (int j = 0; j < mu.Length; j++)
            if (j != a && j != b) Assert.Equal(mu[j], after[j], 4);
        Assert.NotEqual(before, await DecodedPixels(page, 1));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_bad_request_from_the_page_gets_400()
    {
        var page = await browser.Open(browser.Servers.Pair.Url);
        foreach (var (request, reason) in new[]
        {
            ("/api/decode?model=0&z=0,0", "k = 3"), ("/api/decode?model=0&z=NaN,0,0", "not finite"), ("/api/decode?model=0&z=0,0,12", "outside"),
            ("/api/image?index=72", "out of range"), ("/api/reconstruct?model=2&index=0", "out of range"),
        })
        {
            var answer = await page.EvaluateAsync<JsonElement>("async url => { const r = await fetch(url); return [r.status, await r.text()]; }", request);
            Assert.Equal(400, answer[0].GetInt32());
            Assert.Contains(reason, answer[1].GetString());
        }
        await page.CloseAsync();
    }
}
