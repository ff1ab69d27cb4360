using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiSS.Core.Tests.Transport;

/// <summary>
/// A scripted peer, not a server: it listens on 127.0.0.1 (port chosen by the system), accepts exactly one
/// connection and replays the conversation the test wrote, so tests can make a "server" do what a real one cannot
/// be forced to do (drop mid-reply, never answer, inject bytes before TLS). Every step has a timeout so a test never
/// hangs; a mismatch fails the script, and <see cref="AssertCompletedAsync"/> reports it.
/// </summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    private ScriptedPeer(Func<PeerSession, Task> script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(1);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Completion = Task.Run(() => RunAsync(script));
    }

    /// <summary>The port to connect to on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Completes when the script ends; faults with the script's failure.</summary>
    public Task Completion { get; }

    /// <summary>Starts listening and runs <paramref name="script"/> on the first accepted connection.</summary>
    public static ScriptedPeer Start(Func<PeerSession, Task> script) => new(script);

    /// <summary>Waits for the script to finish and rethrows its failure.</summary>
    public async Task AssertCompletedAsync(double timeoutSeconds = 10)
    {
        await Completion.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // A script abandoned by its test ends with whatever error; the test has its own assertions.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Func<PeerSession, Task> script)
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        client.NoDelay = true;
        await using var session = new PeerSession(client, _stop.Token);
        await script(session);
    }
}

/// <summary>The peer's side of the one connection, with the steps a script is made of.</summary>
internal sealed class PeerSession : IAsyncDisposable
{
    /// <summary>Bound for each step that waits for the client.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _client;
    private readonly CancellationToken _stop;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    public PeerSession(TcpClient client, CancellationToken stop)
    {
        _client = client;
        _stop = stop;
        _stream = client.GetStream();
    }

    /// <summary>Every line received, in order (TLS or not).</summary>
    public List<string> ReceivedLines { get; } = [];

    /// <summary>Protocol negotiated by <see cref="StartTlsAsync"/>, if any.</summary>
    public SslProtocols? TlsProtocol { get; private set; }

    /// <summary>Sends <paramref name="lines"/>, each followed by CRLF, in a single write.</summary>
    public Task SendAsync(params string[] lines) =>
        SendRawAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\r\n"))));

    /// <summary>Sends bytes as they are, in a single write.</summary>
    public async Task SendRawAsync(byte[] data)
    {
        using var timeout = StepDeadline();
        await _stream.WriteAsync(data, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Reads one line (without CRLF); fails if the client closes first.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = StepDeadline();
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end)
            {
                await FillAsync(timeout.Token);
            }

            var b = _buffer[_start++];
            if (b == '\n')
            {
                if (line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                }

                var text = Encoding.UTF8.GetString(line.ToArray());
                ReceivedLines.Add(text);
                return text;
            }

            line.Add(b);
        }
    }

    /// <summary>Reads one line and fails the script unless it equals <paramref name="expected"/> (a trailing "*" matches any rest).</summary>
    public async Task<string> ExpectAsync(string expected)
    {
        var line = await ReadLineAsync();
        var matches = expected.EndsWith('*')
            ? line.StartsWith(expected[..^1], StringComparison.Ordinal)
            : line == expected;
        if (!matches)
        {
            throw new InvalidOperationException($"scripted peer expected \"{expected}\" but received \"{line}\"");
        }

        return line;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        using var timeout = StepDeadline();
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end)
            {
                await FillAsync(timeout.Token);
            }

            var n = Math.Min(count - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, filled, n);
            _start += n;
            filled += n;
        }

        return result;
    }

    /// <summary>Reads everything up to and including <paramref name="terminator"/>.</summary>
    public async Task<byte[]> ReadUntilAsync(byte[] terminator)
    {
        using var timeout = StepDeadline();
        var data = new List<byte>();
        while (data.Count < terminator.Length || !data.TakeLast(terminator.Length).SequenceEqual(terminator))
        {
            if (_start == _end)
            {
                await FillAsync(timeout.Token);
            }

            data.Add(_buffer[_start++]);
        }

        return data.ToArray();
    }

    /// <summary>Completes when the client closes the connection (reads and ignores anything else).</summary>
    public async Task WaitForCloseAsync()
    {
        using var timeout = StepDeadline();
        _start = _end = 0;
        try
        {
            while (await _stream.ReadAsync(_buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset by the client: closed as well.
        }
    }

    /// <summary>Never answers: waits until the test disposes the peer.</summary>
    public async Task HangAsync()
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The certificate the client presented during the TLS handshake, if the peer asked for one.</summary>
    public X509Certificate? ClientCertificate { get; private set; }

    /// <summary>Runs the server side of a TLS handshake with <paramref name="certificate"/>, asking for a client certificate if told to.</summary>
    public async Task StartTlsAsync(X509Certificate2 certificate, bool askClientCertificate = false)
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("scripted peer: the client sent data before the TLS handshake");
        }

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var timeout = StepDeadline();
        await ssl.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = askClientCertificate,
                // The scripted peer only records what the client presented; trusting it is not what is tested.
                RemoteCertificateValidationCallback = askClientCertificate ? (_, _, _, _) => true : null,
            },
            timeout.Token);
        _stream = ssl;
        TlsProtocol = ssl.SslProtocol;
        ClientCertificate = ssl.RemoteCertificate;
    }

    /// <summary>Closes the connection at once (FIN), whatever is in flight.</summary>
    public void Close() => _client.Client.Shutdown(SocketShutdown.Both);

    /// <summary>Drops the connection with a reset (RST).</summary>
    public void Abort()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Client.Close();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    private CancellationTokenSource StepDeadline()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(_stop);
        source.CancelAfter(StepTimeout);
        return source;
    }

    private async Task FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, ct);
        if (_end == 0)
        {
            throw new EndOfStreamException("scripted peer: the client closed the connection");
        }
    }
}
