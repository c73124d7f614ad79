using System.CommandLine;
using Sbvae.Explorer;

namespace Sbvae.Cli.Commands;

/// <summary>`sbvae explore`: the interactive latent explorer, served on loopback until Ctrl+C.</summary>
public static class ExploreCommand
{
    public static Command Create()
    {
        var run = CommonOptions.RunDir();
        var run2 = new Argument<string?>("RUN_DIR2")
        {
            Description = "A second run folder, shown beside the first with the same input",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var dataset = new DatasetOptions("The images to browse: an .npz, the dSprites file, a 3D Shapes .h5 or an image folder (default: the first run's own dataset)");
        var port = new Option<int>("--port") { Description = "The port to listen on (0: a free one, printed)", DefaultValueFactory = _ => 0 };
        var host = new Option<string>("--host")
        {
            Description = "The address to listen on; anything but loopback lets other machines in (no authentication)",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var cmd = new Command("explore", "Explore trained models' latents in the browser: sliders, a 2-D pad and the code over the dataset")
        {
            run, run2, port, host, threads, device,
        };
        dataset.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string[] runs = p.GetValue(run2) is { } second ? [p.GetValue(run)!, second] : [p.GetValue(run)!];
            string hostName = p.GetValue(host)!;
            ExplorerServer.Address(hostName, p.GetValue(port));
            // everything is loaded and checked before the port is bound
            using var session = ExplorerSession.Open(runs, dataset.Path(p), p.GetValue(device)!, p.GetValue(threads),
                note: Console.Error.WriteLine, folder: train => dataset.Folder(p, train));
            if (!ExplorerServer.IsLoopback(hostName))
                Console.Error.WriteLine($"sbvae: warning: --host {hostName}: the explorer is reachable from other machines, without authentication");
            using var interrupt = new Interrupt();
            var server = ExplorerServer.StartAsync(session, hostName, p.GetValue(port)).GetAwaiter().GetResult();
            try
            {
                Console.WriteLine($"explorer: {server.Url} ({string.Join(", ", session.Models.Select(m => m.Name))}; {session.Data.Count} images; Ctrl+C to stop)");
                interrupt.Token.WaitHandle.WaitOne();
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return 0;
        });
        return cmd;
    }
}
