using MiSS.Build;

// The build program: every piece of build logic lives here; build.sh and build.ps1 only start it.
return await BuildCommands.RunAsync(args);
