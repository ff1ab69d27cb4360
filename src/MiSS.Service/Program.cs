using MiSS.Service.Cli;

// `miss` with no command runs the service; see MissCommandLine for the others.
return await MissCommandLine.RunAsync(args);
