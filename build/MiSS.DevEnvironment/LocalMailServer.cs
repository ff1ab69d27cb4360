using System.Net.Sockets;

namespace MiSS.DevEnvironment;

/// <summary>What a local mail server instance is made of.</summary>
public sealed class LocalMailServerOptions
{
    /// <summary>The instance's folder: configuration, sockets, queue, mailboxes and logs all live there.</summary>
    public required string Directory { get; init; }

    /// <summary>The mail domain served (the mailboxes' domain).</summary>
    public string Domain { get; init; } = DevPki.Domain;

    /// <summary>The mailboxes.</summary>
    public required IReadOnlyList<MailAccount> Accounts { get; init; }

    /// <summary>PEM chain of the TLS certificate (leaf first).</summary>
    public required string TlsCertificatePath { get; init; }

    /// <summary>PEM private key of the TLS certificate.</summary>
    public required string TlsKeyPath { get; init; }

    /// <summary>Fixed ports, or null to take free ones.</summary>
    public MailServerPorts? Ports { get; init; }
}

/// <summary>
/// A real Dovecot (IMAP, IDLE, LMTP, SASL) and Postfix (submission, delivery over LMTP) on loopback high ports,
/// run from Debian's packages with a configuration generated into a folder of its own. Needs root
/// (Postfix's master and Dovecot's privilege separation).
/// </summary>
public sealed class LocalMailServer : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    readonly MailServerConfiguration _config;
    bool _stopped;

    LocalMailServer(LocalMailServerOptions options, MailServerPorts ports, MailServerConfiguration config)
    {
        Options = options;
        Ports = ports;
        _config = config;
    }

    /// <summary>
    /// A domain whose mail Postfix accepts at submission and then bounces (delivery status notification, "failed"):
    /// what an unreachable or refusing remote server does, without any network.
    /// </summary>
    public const string BouncingDomain = "bounce.mssante.test";

    /// <summary>The loopback address every service listens on.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The instance's ports.</summary>
    public MailServerPorts Ports { get; }

    /// <summary>What the instance was started with.</summary>
    public LocalMailServerOptions Options { get; }

    /// <summary>Dovecot's configuration file (for doveadm).</summary>
    public string DovecotConfigPath => _config.DovecotConfigPath;

    /// <summary>Postfix's configuration folder.</summary>
    public string PostfixConfigDirectory => _config.PostfixDirectory;

    string StartLogPath => Path.Combine(_config.LogDirectory, "start.log");

    /// <summary>True when the Debian packages are installed.</summary>
    public static bool IsInstalled => CommandRunner.IsOnPath("dovecot") && CommandRunner.IsOnPath("postfix") && CommandRunner.IsOnPath("doveadm");

    /// <summary>Writes the configuration, starts Dovecot then Postfix, and waits until every port accepts connections.</summary>
    public static async Task<LocalMailServer> StartAsync(LocalMailServerOptions options, CancellationToken ct = default)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException("Dovecot and Postfix are not installed: run `./build.sh setup` first.");
        }
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The local mail server must be started as root (Postfix's master and Dovecot need it).");
        }
        var root = Path.GetFullPath(options.Directory);
        var ports = options.Ports ?? new MailServerPorts(LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var config = new MailServerConfiguration(root, options.Domain, ports, options.TlsCertificatePath, options.TlsKeyPath);
        var server = new LocalMailServer(options, ports, config);
        await server.StopIfRunningAsync(ct);
        await server.WriteConfigurationAsync(root, ct);
        try
        {
            await server.StartDovecotAsync(ct);
            await server.StartPostfixAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var logs = server.ReadLogs();
            await server.StopAsync();
            throw new InvalidOperationException($"The local mail server did not start: {e.Message}\n{logs}", e);
        }
        return server;
    }

    /// <summary>Starts Postfix (again) and waits for its ports.</summary>
    public async Task StartPostfixAsync(CancellationToken ct = default)
    {
        await CommandRunner.RunDaemonStarterAsync("postfix", ["-c", _config.PostfixDirectory, "start"], StartLogPath, ct);
        await WaitForPortsAsync([Ports.Submission, Ports.Smtp, Ports.Submissions], ct);
    }

    /// <summary>Stops Postfix only (for fault tests: the submission server goes away).</summary>
    public Task StopPostfixAsync(CancellationToken ct = default) =>
        CommandRunner.RunAsync("postfix", ["-c", _config.PostfixDirectory, "stop"], ct: ct);

    /// <summary>Starts Dovecot (again) and waits for its ports.</summary>
    public async Task StartDovecotAsync(CancellationToken ct = default)
    {
        await CommandRunner.RunDaemonStarterAsync("dovecot", ["-c", _config.DovecotConfigPath], StartLogPath, ct);
        await WaitForPortsAsync([Ports.Imap, Ports.Imaps], ct);
    }

    /// <summary>Stops Dovecot only (for fault tests: the IMAP server goes away).</summary>
    public async Task StopDovecotAsync(CancellationToken ct = default)
    {
        await CommandRunner.RunAsync("dovecot", ["-c", _config.DovecotConfigPath, "stop"], ct: ct);
        // `dovecot stop` returns before the master has exited; wait for the port to close.
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && await IsListeningAsync(Ports.Imap, ct))
        {
            await Task.Delay(100, ct);
        }
    }

    /// <summary>
    /// Waits until Postfix has delivered everything it holds (mail deferred during a fault test would otherwise land in
    /// a later test's mailbox). Asks Postfix to retry deferred mail now.
    /// </summary>
    public async Task WaitForEmptyQueueAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        await CommandRunner.RunAsync("postqueue", ["-c", _config.PostfixDirectory, "-f"], ct: ct);
        while ((await CommandRunner.RunAsync("postqueue", ["-c", _config.PostfixDirectory, "-p"], ct: ct)).StandardOutput is var queue
               && !queue.Contains("Mail queue is empty", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Postfix still holds mail after {timeout}: {queue}");
            }
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Drops raw bytes into a mailbox without SMTP (for hostile-mail tests), as `doveadm save` does.</summary>
    public Task DeliverRawAsync(string address, byte[] message, string mailbox = "INBOX", CancellationToken ct = default) =>
        CommandRunner.RunCheckedAsync("doveadm", ["-c", _config.DovecotConfigPath, "save", "-u", address, "-m", mailbox], message, ct: ct);

    /// <summary>Removes every message of a mailbox folder (for tests that need a known starting point).</summary>
    public Task EmptyMailboxAsync(string address, string mailbox = "INBOX", CancellationToken ct = default) =>
        CommandRunner.RunCheckedAsync("doveadm", ["-c", _config.DovecotConfigPath, "expunge", "-u", address, "mailbox", mailbox, "all"], ct: ct);

    /// <summary>The tail of both servers' logs, for diagnostics.</summary>
    public string ReadLogs(int lines = 40)
    {
        var text = new System.Text.StringBuilder();
        foreach (var log in new[] { "start.log", "dovecot.log", "postfix.log" })
        {
            var path = Path.Combine(_config.LogDirectory, log);
            if (File.Exists(path))
            {
                text.AppendLine($"--- {log}");
                foreach (var line in File.ReadLines(path).TakeLast(lines))
                {
                    text.AppendLine(line);
                }
            }
        }
        return text.ToString();
    }

    /// <summary>Stops both servers. Safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await StopPostfixAsync();
        await StopDovecotAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    async Task StopIfRunningAsync(CancellationToken ct)
    {
        // A previous run that was killed may have left this instance's daemons behind.
        if (File.Exists(Path.Combine(_config.PostfixDirectory, "queue", "pid", "master.pid")))
        {
            await StopPostfixAsync(ct);
        }
        if (File.Exists(Path.Combine(_config.DovecotRunDirectory, "master.pid")))
        {
            await CommandRunner.RunAsync("dovecot", ["-c", _config.DovecotConfigPath, "stop"], ct: ct);
        }
    }

    async Task WriteConfigurationAsync(string root, CancellationToken ct)
    {
        string[] folders =
        [
            root, _config.DovecotDirectory, _config.DovecotRunDirectory, _config.PostfixDirectory,
            Path.Combine(_config.PostfixDirectory, "queue"), Path.Combine(_config.PostfixDirectory, "data"),
            _config.MailDirectory, _config.LogDirectory,
        ];
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(folder);
            // The daemons' unprivileged users (postfix, mail, dovecot) must be able to traverse these folders.
            UnixPermissions.Set(folder, (UnixFileMode)0b111_101_101);
        }
        await File.WriteAllTextAsync(_config.DovecotConfigPath, _config.Dovecot(), ct);
        await File.WriteAllTextAsync(Path.Combine(_config.PostfixDirectory, "main.cf"), _config.PostfixMain(), ct);
        await File.WriteAllTextAsync(Path.Combine(_config.PostfixDirectory, "master.cf"), _config.PostfixMaster(), ct);
        await File.WriteAllTextAsync(_config.UsersPath, MailServerConfiguration.Users(Options.Accounts), ct);
        await File.WriteAllTextAsync(_config.VirtualMailboxPath, MailServerConfiguration.VirtualMailboxes(Options.Accounts), ct);
        await File.WriteAllTextAsync(_config.TransportPath, _config.Transports(), ct);

        // The password file is for Dovecot's auth processes only.
        UnixPermissions.Set(_config.UsersPath, UnixPermissions.OwnerOnly | UnixFileMode.GroupRead);
        await CommandRunner.RunCheckedAsync("chown", ["root:dovecot", _config.UsersPath], ct: ct);
        await CommandRunner.RunCheckedAsync("chown", ["mail:mail", _config.MailDirectory], ct: ct);
        await CommandRunner.RunCheckedAsync("chown", ["postfix", Path.Combine(_config.PostfixDirectory, "data")], ct: ct);
    }

    async Task WaitForPortsAsync(int[] ports, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        foreach (var port in ports)
        {
            while (!await IsListeningAsync(port, ct))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"port {port} did not open within {StartTimeout.TotalSeconds} s");
                }
                await Task.Delay(50, ct);
            }
        }
    }

    static async Task<bool> IsListeningAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
