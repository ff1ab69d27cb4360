using System.Diagnostics;
using System.Text.Json;
using MiSS.DevEnvironment;

namespace MiSS.Build;

/// <summary>
/// The demo: a local mail server, two MiSS services (Claire MARTIN, GP, and Julien BERNARD, nurse), a message from
/// Claire to Julien, and Julien's store showing it arrived with Claire as the verified signer.
/// </summary>
static class DemoCommand
{
    /// <summary>Runs the demo; with <paramref name="stay"/>, the two services keep running until Ctrl+C (web client, samples).</summary>
    public static async Task<int> RunAsync(bool stay)
    {
        await SystemSetup.EnsureAsync();
        var pki = DevPki.LoadOrCreate(Repository.CertsDev);
        Step("Building the MiSS service");
        if (await Interactive.RunAsync("dotnet", ["build", Repository.ServiceProject, "-c", "Release", "-v", "quiet", "-nologo"]) != 0)
        {
            return 1;
        }
        var miss = Path.Combine(Repository.Root, "src", "MiSS.Service", "bin", "Release", "net10.0", "miss.dll");

        var root = Path.Combine(Repository.RunDirectory, "demo");
        if (Directory.Exists(root))
        {
            await DevMailServer.StopAsync(Path.Combine(root, "mail"));
            Directory.Delete(root, recursive: true);
        }
        Step("Starting the local mail server (Dovecot + Postfix on 127.0.0.1)");
        await using var server = await DevMailServer.StartAsync(pki, Path.Combine(root, "mail"));
        Console.WriteLine($"   IMAP {server.Ports.Imap} (STARTTLS), submission {server.Ports.Submission} (STARTTLS), TLS certificate from the dev IGC-Santé");

        var claire = DevPki.Practitioners[0];
        var julien = DevPki.Practitioners[1];
        Step($"Starting MiSS for {claire.DisplayName} and {julien.DisplayName}");
        var services = new List<Process>();
        try
        {
            var configs = new Dictionary<string, string>();
            foreach (var (p, apiPort) in new[] { (claire, 7481), (julien, 7482) })
            {
                configs[p.Id] = await WriteConfigAsync(pki, server, p, Path.Combine(root, p.Id), apiPort);
                services.Add(StartService(miss, configs[p.Id], p.Id));
            }
            await WaitForLogAsync(Path.Combine(root, julien.Id), "Watching INBOX", TimeSpan.FromSeconds(30));

            Step($"{claire.DisplayName} sends a message to {julien.DisplayName}");
            var send = await CommandRunner.RunCheckedAsync("dotnet", [miss, "send", "--config", configs[claire.Id],
                "--to", julien.Address,
                "--text", "Bonjour Julien, la plaie du talon de Mme D. suinte depuis hier. Peux-tu passer demain matin et m'envoyer une photo ? Claire"]);
            var messageId = send.StandardOutput.Trim();
            Console.WriteLine($"   queued as <{messageId}>");

            Step($"{julien.DisplayName}'s MiSS shows what arrived");
            var show = await CommandRunner.RunAsync("dotnet", [miss, "show", messageId, "--config", configs[julien.Id], "--wait", "30"]);
            Console.WriteLine(Indent(show.StandardOutput));
            if (show.ExitCode != 0 || !show.StandardOutput.Contains("signature vérifiée", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"demo: the message did not arrive verified. {show.StandardError}");
                return 1;
            }

            Step($"{julien.DisplayName} reads it and answers in the same conversation");
            await CommandRunner.RunCheckedAsync("dotnet", [miss, "read", messageId, "--config", configs[julien.Id]]);
            var reply = (await CommandRunner.RunCheckedAsync("dotnet", [miss, "send", "--config", configs[julien.Id], "--to", claire.Address,
                "--text", "Je passe demain à 9 h et je t'envoie la photo. Julien"])).StandardOutput.Trim();
            var answer = await CommandRunner.RunAsync("dotnet", [miss, "show", reply, "--config", configs[claire.Id], "--wait", "30"]);
            Console.WriteLine(Indent(answer.StandardOutput));

            Step($"{claire.DisplayName}'s MiSS: her message was delivered, then read");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            CommandResult state;
            do
            {
                state = await CommandRunner.RunAsync("dotnet", [miss, "show", messageId, "--config", configs[claire.Id]]);
                await Task.Delay(300);
            }
            while (!state.StandardOutput.Contains($"{julien.Address} lu", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
            Console.WriteLine(Indent(state.StandardOutput.Split('\n').First(l => l.StartsWith("Suivi", StringComparison.Ordinal))));
            if (answer.ExitCode != 0 || !state.StandardOutput.Contains($"{julien.Address} lu", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("demo: the reply or the read receipt did not come back.");
                return 1;
            }
            Step($"{claire.DisplayName} ends the conversation (\"expire now\"): it is erased on both sides and on the server");
            var conversations = (await CommandRunner.RunCheckedAsync("dotnet", [miss, "conversations", "--config", configs[claire.Id]])).StandardOutput;
            var open = conversations.Split('\n').First(l => l.Contains(julien.Address, StringComparison.Ordinal) && !l.Contains("terminée", StringComparison.Ordinal));
            var number = open[1..open.IndexOf(' ', StringComparison.Ordinal)];
            Console.WriteLine(Indent((await CommandRunner.RunCheckedAsync("dotnet", [miss, "end", number, "--config", configs[claire.Id]])).StandardOutput));
            foreach (var (p, id) in new[] { (claire, messageId), (julien, messageId), (julien, reply) })
            {
                var erased = await WaitForAsync(miss, configs[p.Id], id, "Effacé");
                Console.WriteLine(Indent($"{p.DisplayName}, <{id}> : " + (erased ?? "toujours là")));
                if (erased is null)
                {
                    Console.Error.WriteLine("demo: the conversation was not erased.");
                    return 1;
                }
            }
            Step("Demo done: every message signed and encrypted, verified on arrival, delivered, read, then erased everywhere. Logs: " + root);
            if (stay)
            {
                await StayAsync(miss, configs, claire, julien, root);
            }
            return 0;
        }
        finally
        {
            foreach (var service in services)
            {
                await StopServiceAsync(service);
            }
        }
    }

    /// <summary>Keeps the services running for the web client and the samples, until Ctrl+C.</summary>
    static async Task StayAsync(string miss, Dictionary<string, string> configs, DevPractitioner claire, DevPractitioner julien, string root)
    {
        Step("The two services keep running (Ctrl+C stops them). Open the web client with these one-time links:");
        foreach (var p in new[] { claire, julien })
        {
            var link = (await CommandRunner.RunCheckedAsync("dotnet", [miss, "web", "--config", configs[p.Id]])).StandardOutput.Trim();
            Console.WriteLine($"   {p.DisplayName}: {link}");
        }
        Console.WriteLine($"   A practice-management program (samples/): dotnet run --project samples/PracticeSoftware -- " +
                          $"http://localhost:7481 $(cat {Path.Combine(root, claire.Id, "api-token")}) {julien.Address}");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        await stop.Task;
    }

    /// <summary>Polls `miss show` until a line starting with <paramref name="prefix"/> appears (30 s); returns that line.</summary>
    static async Task<string?> WaitForAsync(string miss, string config, string messageId, string prefix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            var shown = await CommandRunner.RunAsync("dotnet", [miss, "show", messageId, "--config", config]);
            if (shown.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line.Trim();
            }
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        return null;
    }

    static async Task<string> WriteConfigAsync(DevPki pki, LocalMailServer server, DevPractitioner p, string directory, int apiPort)
    {
        var accounts = JsonDocument.Parse(await File.ReadAllTextAsync(DevMailServer.AccountsPath(server.Options.Directory)));
        var password = accounts.RootElement.GetProperty("Accounts").EnumerateArray()
            .Single(a => a.GetProperty("Address").GetString() == p.Address).GetProperty("Password").GetString();
        return DevInstanceSettings.Write(DevInstanceSettings.For(pki, server, p, password!, directory, apiPort, "MiSS-DEMO"), directory);
    }

    static Process StartService(string miss, string config, string name)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { miss, "run", "--config", config })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the MiSS service");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"   [{name}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"   [{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static async Task StopServiceAsync(Process process)
    {
        if (!process.HasExited)
        {
            await CommandRunner.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.Dispose();
    }

    static async Task WaitForLogAsync(string dataDirectory, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var logs = Path.Combine(dataDirectory, "logs");
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(logs) && Directory.EnumerateFiles(logs).Any(f => ReadShared(f).Contains(text, StringComparison.Ordinal)))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the MiSS service did not log \"{text}\" within {timeout.TotalSeconds} s");
    }

    static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    static void Step(string text) => Console.WriteLine($"\n==> {text}");

    static string Indent(string text) => string.Join('\n', text.TrimEnd().Split('\n').Select(l => "   " + l));
}
