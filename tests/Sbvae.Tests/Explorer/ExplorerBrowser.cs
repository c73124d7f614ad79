using Microsoft.Playwright;

namespace Sbvae.Tests.ExplorerTests;

/// <summary>
/// The explorers of <see cref="ExplorerServers"/> and one headless Debian chromium driven by
/// Playwright, shared by a test class. Playwright's own browser download is never used.
/// </summary>
public sealed class ExplorerBrowser : IAsyncLifetime
{
    public ExplorerServers Servers { get; } = new();
    IPlaywright? playwright;
    IBrowser? browser;

    public async ValueTask InitializeAsync()
    {
        await Servers.InitializeAsync();
        if (!File.Exists(Skip.Chromium)) return;   // each test skips (or, under CI, fails) with the reason
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Skip.Chromium, Headless = true });
    }

    /// <summary>A fresh page on <paramref name="url"/>, once the page says it has loaded (grid shown, first image picked).</summary>
    public async Task<IPage> Open(Uri url)
    {
        Skip.UnlessChromium();
        var page = await browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(url.ToString());
        await page.WaitForSelectorAsync("body[data-ready='true']", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.Empty(errors);
        Assert.Equal("", await page.InnerTextAsync("#status"));
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        await Servers.DisposeAsync();
    }
}
