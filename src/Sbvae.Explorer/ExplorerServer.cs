using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sbvae.Explorer;

/// <summary>
/// The explorer's Kestrel server on one address: loopback unless the caller says otherwise. Started
/// and stopped by its owner (the CLI on Ctrl+C, a test at its end); it installs no signal handlers.
/// </summary>
public sealed class ExplorerServer : IAsyncDisposable
{
    readonly WebApplication app;

    /// <summary>The address it listens on, with the real port when port 0 was asked for.</summary>
    public Uri Url { get; }

    ExplorerServer(WebApplication app, Uri url) { this.app = app; Url = url; }

    public static bool IsLoopback(string host) => host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The address to bind for <paramref name="host"/>, after checking it and <paramref name="port"/> (0: any free port).</summary>
    public static IPAddress Address(string host, int port)
    {
        if (port is < 0 or > 65535) throw new SbvaeException($"--port must be in [0, 65535], got {port}");
        return host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip
            : throw new SbvaeException($"--host must be an IP address or localhost, got '{host}'");
    }

    public static async Task<ExplorerServer> StartAsync(ExplorerSession session, string host = "127.0.0.1", int port = 0)
    {
        var address = Address(host, port);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, OwnerLifetime>();
        builder.WebHost.ConfigureKestrel(o => o.Listen(address, port));
        var app = builder.Build();
        bool loopback = IPAddress.IsLoopback(address);
        app.Use(async (context, next) =>
        {
            Harden(context.Response);
            // Bound to loopback, only this machine's names may appear as the host: a page elsewhere
            // that rebinds its own name to 127.0.0.1 cannot read the explorer's answers.
            if (loopback && !IsLoopback(context.Request.Host.Host.Trim('[', ']')))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("the explorer answers only requests addressed to this machine's loopback");
                return;
            }
            await next(context);
        });
        ExplorerEndpoints.Map(app, session);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new SbvaeException($"cannot listen on {host}:{port}: {e.Message}");
        }
        string bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ExplorerServer(app, new Uri(bound.TrimEnd('/') + "/"));
    }

    /// <summary>The page uses nothing but its own assets and the data it computes.</summary>
    static void Harden(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>The host's lifetime left to the owner: no Ctrl+C handler, no start-up messages.</summary>
    sealed class OwnerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
