return Sbvae.Cli.Commands.CliApp.Run(args);
