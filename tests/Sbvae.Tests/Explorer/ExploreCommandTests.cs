using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sbvae.Explorer;

namespace Sbvae.Tests.ExplorerTests;

/// <summary>`sbvae explore` as a user runs it: the URL printed with the real port, served until Ctrl+C.</summary>
public class ExploreCommandTests
{
    [Fact]
    public async Task It_prints_its_url_serves_the_page_and_stops_on_SIGINT()
    {
        var runs = ExplorerRuns.Get();
        using var p = Cli.Start(["explore", runs.Sbd, runs.Deconv, "--port", "0", "--threads", "1"]);
        try
        {
            var line = await p.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var match = Regex.Match(line ?? "", @"^explorer: (http://127\.0\.0\.1:(\d+)/) \(sbd, deconv; 72 images; Ctrl\+C to stop\)$");
            Assert.True(match.Success, $"first line: {line}; stderr: {(p.HasExited ? p.StandardError.ReadToEnd() : "")}");
            Assert.NotEqual("0", match.Groups[2].Value);
            using var http = new HttpClient();
            using var r = await http.GetAsync(match.Groups[1].Value, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("sbvae explorer", await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            // Ctrl+C: the server stops and the command ends normally
            using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    [Fact]
    public void Two_runs_with_different_image_sizes_are_refused_before_serving()
    {
        var runs = ExplorerRuns.Get();
        var r = Cli.Run(["explore", runs.Sbd, runs.Run32]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Matches(@"^sbvae: error: the runs have different image sizes \(16 in .*, 32 in .*\); they cannot share an input\r?\n$", r.Err);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("localhost", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("192.168.1.5", false)]
    public void Only_loopback_addresses_count_as_loopback(string host, bool loopback) =>
        Assert.Equal(loopback, ExplorerServer.IsLoopback(host));

    [Fact]
    public void A_host_other_than_loopback_gets_a_warning_and_a_port_in_use_an_error()
    {
        var runs = ExplorerRuns.Get();
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var r = Cli.Run(["explore", runs.Sbd, "--host", "0.0.0.0", "--port", port.ToString()]);
        Assert.Equal(2, r.ExitCode);
        // Start-up's progress lines first, then the warning and the error.
        var lines = r.Err.TrimEnd().Split('\n').Where(l => !l.StartsWith("explorer: encoding")).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("sbvae: warning: --host 0.0.0.0: the explorer is reachable from other machines", lines[0]);
        Assert.StartsWith($"sbvae: error: cannot listen on 0.0.0.0:{port}", lines[1]);
    }
}
