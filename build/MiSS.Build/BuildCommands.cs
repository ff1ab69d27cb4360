using MiSS.DevEnvironment;

namespace MiSS.Build;

/// <summary>The build program's commands.</summary>
static class BuildCommands
{
    const string Usage = """
        Usage: ./build.sh <command>
          setup      install Dovecot, Postfix and OpenSSL (Debian, as root) and generate the dev PKI
          certs      generate the development PKI in certs-dev/ (when absent or near expiry)
          build      build the solution
          mail-up    start a local mail server in .run/mail (ports and dev passwords in .run/mail/accounts.json)
          mail-down  stop it
          demo       set up, start the mail server and two MiSS instances, send a message from one to the other
                     (--stay: keep them running for the web client and the samples)
          test       set up, then run the whole test suite
          bench      run every benchmark (about 10 minutes) and rewrite docs/performance.md
          directory-sample FILE [--rows N]
                     write a synthetic national-size MSSanté extraction (400,000 rows by default: the real
                     31-column layout, duplicates and bad rows) for `miss directory import`
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.FirstOrDefault() ?? "help";
        var rest = args.Skip(1).ToList();
        try
        {
            switch (command)
            {
                case "setup":
                    await SystemSetup.EnsureAsync(browser: true);
                    PrintPki(DevPki.LoadOrCreate(Repository.CertsDev));
                    return 0;
                case "certs":
                    PrintPki(DevPki.LoadOrCreate(Repository.CertsDev));
                    return 0;
                case "build":
                    return await Interactive.RunAsync("dotnet", ["build", Repository.Solution, "-c", "Release"]);
                case "mail-up":
                    await SystemSetup.EnsureAsync();
                    var directory = Path.Combine(Repository.RunDirectory, "mail");
                    var server = await DevMailServer.StartAsync(DevPki.LoadOrCreate(Repository.CertsDev), directory,
                        new MailServerPorts(Imap: 10143, Imaps: 10993, Submission: 10587, Smtp: 10025, Submissions: 10465));
                    Console.WriteLine($"Mail server up on {server.Host}: IMAP {server.Ports.Imap} (STARTTLS), IMAPS {server.Ports.Imaps}, " +
                                      $"submission {server.Ports.Submission} (STARTTLS), submissions {server.Ports.Submissions} (TLS), SMTP {server.Ports.Smtp}. " +
                                      $"Accounts: {DevMailServer.AccountsPath(directory)}");
                    return 0;
                case "mail-down":
                    await DevMailServer.StopAsync(Path.Combine(Repository.RunDirectory, "mail"));
                    Console.WriteLine("Mail server stopped.");
                    return 0;
                case "directory-sample" when rest.Count is 1 or 3:
                    // The generator lives with the importer's benchmark (bench/MiSS.Benchmarks, ExtractionSample in MiSS.Core).
                    return await Interactive.RunAsync("dotnet", ["run", "-c", "Release", "--project",
                        Path.Combine(Repository.Root, "bench", "MiSS.Benchmarks"), "--", "directory-sample", Path.GetFullPath(rest[0]), .. rest.Skip(1)]);
                case "demo":
                    return await DemoCommand.RunAsync(stay: rest.Contains("--stay"));
                case "test":
                    return await TestCommand.RunAsync(rest);
                case "bench":
                    // Every benchmark in one run; rewrites docs/performance.md (see bench/MiSS.Benchmarks/Program.cs).
                    await SystemSetup.EnsureAsync();
                    DevPki.LoadOrCreate(Repository.CertsDev);
                    return await Interactive.RunAsync("dotnet", ["run", "-c", "Release", "--project", Repository.BenchProject, "--", "all", .. rest]);
                default:
                    Console.WriteLine(Usage);
                    return command is "help" or "--help" or "-h" ? 0 : 2;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return 1;
        }
    }

    static void PrintPki(DevPki pki)
    {
        Console.WriteLine($"certs: development PKI in {pki.Directory} (trust anchor: {Path.GetFileName(pki.TrustAnchorsPath)})");
        foreach (var p in DevPki.Practitioners)
        {
            Console.WriteLine($"  {p.DisplayName,-18} {p.Profession,-11} RPPS {p.Rpps}  {p.Address}");
        }
    }
}
