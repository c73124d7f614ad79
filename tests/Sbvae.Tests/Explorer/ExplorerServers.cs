using Sbvae.Explorer;

namespace Sbvae.Tests.ExplorerTests;

/// <summary>Two explorers on free loopback ports, shared by a test class: the sbd and deconv runs side by side, and the sbd run alone.</summary>
public sealed class ExplorerServers : IAsyncLifetime
{
    public ExplorerRuns.Runs Runs { get; } = ExplorerRuns.Get();
    public ExplorerSession PairSession { get; private set; } = null!;
    public ExplorerSession SingleSession { get; private set; } = null!;
    public ExplorerServer Pair { get; private set; } = null!;
    public ExplorerServer Single { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    public async ValueTask InitializeAsync()
    {
        PairSession = ExplorerSession.Open([Runs.Sbd, Runs.Deconv], null, threads: 1);
        SingleSession = ExplorerSession.Open([Runs.Sbd], null, threads: 1);
        Pair = await ExplorerServer.StartAsync(PairSession);
        Single = await ExplorerServer.StartAsync(SingleSession);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Pair.DisposeAsync();
        await Single.DisposeAsync();
        PairSession.Dispose();
        SingleSession.Dispose();
    }
}
