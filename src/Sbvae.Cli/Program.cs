return Sbvae.Cli.CliApp.Run(args);
