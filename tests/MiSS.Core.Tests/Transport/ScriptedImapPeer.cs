using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MiSS.Core.Tests.Transport;

/// <summary>
/// An IMAP peer for the watcher's tests: it accepts any number of connections on 127.0.0.1 and answers each command
/// the way Dovecot would for an empty INBOX (STARTTLS with the test certificate, AUTHENTICATE PLAIN, SELECT, UID FETCH,
/// IDLE until DONE, NOOP), counting what it saw. A test can drop every connection to play a server that goes away.
/// </summary>
internal sealed partial class ScriptedImapPeer : IAsyncDisposable
{
    const string Capabilities = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN NAMESPACE";

    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly List<PeerSession> _sessions = [];
    readonly bool _idle;
    readonly bool _uidPlus;
    readonly Task _accepting;
    int _connections, _idles, _fetches, _noops;

    ScriptedImapPeer(bool idle, bool uidPlus)
    {
        _idle = idle;
        _uidPlus = uidPlus;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>A peer offering IDLE (or not, to be polled) and UIDPLUS (or not). A UID SEARCH finds the message of UID 7.</summary>
    public static ScriptedImapPeer Start(bool idle = true, bool uidPlus = true) => new(idle, uidPlus);

    /// <summary>Every command received after the login, in order, without its tag.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Commands { get; } = new();

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>IDLE commands received.</summary>
    public int Idles => Volatile.Read(ref _idles);

    /// <summary>UID FETCH commands received (one per catch-up).</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    public int Noops => Volatile.Read(ref _noops);

    /// <summary>Drops every open connection with a reset, as a server that dies.</summary>
    public void DropAll()
    {
        lock (_sessions)
        {
            foreach (var session in _sessions)
            {
                session.Abort();
            }
            _sessions.Clear();
        }
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            var session = new PeerSession(client, _stop.Token);
            lock (_sessions)
            {
                _sessions.Add(session);
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(session);
                }
                catch (Exception)
                {
                    // A dropped or closed connection ends its session.
                }
            });
        }
    }

    string Capability => Capabilities + (_idle ? " IDLE" : "") + (_uidPlus ? " UIDPLUS" : "");

    async Task ServeAsync(PeerSession s)
    {
        await s.SendAsync($"* OK [CAPABILITY {Capability} STARTTLS] ready.");
        while (true)
        {
            var line = await ReadCommandAsync(s);
            var match = Command().Match(line);
            var (tag, command) = (match.Groups[1].Value, match.Groups[2].Value.ToUpperInvariant());
            Commands.Enqueue(line[(tag.Length + 1)..]);
            switch (command)
            {
                case "CAPABILITY":
                    await s.SendAsync($"* CAPABILITY {Capability}", $"{tag} OK done");
                    break;
                case "STARTTLS":
                    await s.SendAsync($"{tag} OK Begin TLS negotiation now.");
                    await s.StartTlsAsync(TestCertificates.Server);
                    break;
                case "AUTHENTICATE":
                case "LOGIN":
                    await s.SendAsync($"{tag} OK [CAPABILITY {Capability}] Logged in");
                    break;
                case "NAMESPACE":
                    await s.SendAsync("* NAMESPACE ((\"\" \"/\")) NIL NIL", $"{tag} OK done");
                    break;
                case "LIST":
                    await s.SendAsync("* LIST (\\HasNoChildren) \"/\" INBOX", $"{tag} OK done");
                    break;
                case "SELECT":
                case "EXAMINE":
                    await s.SendAsync("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "* 0 EXISTS", "* 0 RECENT",
                        "* OK [UIDVALIDITY 1700000000] UIDs valid", "* OK [UIDNEXT 1] next", $"{tag} OK [READ-WRITE] Select completed");
                    break;
                case "UID" when line.Contains(" SEARCH ", StringComparison.OrdinalIgnoreCase):
                    await s.SendAsync("* SEARCH 7", $"{tag} OK done");
                    break;
                case "UID":
                    if (line.Contains(" FETCH ", StringComparison.OrdinalIgnoreCase))
                    {
                        Interlocked.Increment(ref _fetches);
                    }
                    await s.SendAsync($"{tag} OK done");
                    break;
                case "EXPUNGE":
                case "CLOSE":
                    await s.SendAsync($"{tag} OK done");
                    break;
                case "NOOP":
                    Interlocked.Increment(ref _noops);
                    await s.SendAsync($"{tag} OK done");
                    break;
                case "IDLE":
                    Interlocked.Increment(ref _idles);
                    await s.SendAsync("+ idling");
                    await ReadCommandAsync(s, "DONE");
                    await s.SendAsync($"{tag} OK Idle completed");
                    break;
                case "LOGOUT":
                    await s.SendAsync("* BYE Logging out", $"{tag} OK done");
                    return;
                default:
                    await s.SendAsync($"{tag} BAD unknown command");
                    break;
            }
        }
    }

    /// <summary>The next line, waiting as long as the client likes (an IDLE lasts until the test moves the clock).</summary>
    async Task<string> ReadCommandAsync(PeerSession s, string? expected = null)
    {
        while (true)
        {
            try
            {
                return expected is null ? await s.ReadLineAsync() : await s.ExpectAsync(expected);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                // The step timeout of the scripted session: keep waiting.
            }
        }
    }

    [GeneratedRegex(@"^(\S+) (\S+)")]
    private static partial Regex Command();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting;
        _stop.Dispose();
    }
}
