using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using MiSS.Mail;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Net;

/// <summary>
/// One protocol connection: the transport stream (TCP, then TLS), its buffered reader, and the rules every I/O
/// follows: a timeout on each operation (restarted whenever bytes move, so a long transfer that progresses is not cut),
/// cancellation, and the translation of failures into <see cref="MailConnectionException"/>. After any such failure
/// the connection is marked broken and refuses further use.
/// </summary>
internal sealed class MailConnection : IAsyncDisposable
{
    private const int WriteChunkSize = 64 * 1024;

    private Stream _stream;
    private OperationTimer? _activeTimer;
    private string? _brokenReason;
    private bool _disposed;

    /// <summary>Wraps an already open stream (used by tests and by <see cref="OpenAsync"/>).</summary>
    public MailConnection(Stream stream, string host)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        Host = host;
        Reader = new MailStreamReader(stream, progress: () => _activeTimer?.Restart());
    }

    /// <summary>Host name the connection was made to; also the TLS target host.</summary>
    public string Host { get; }

    /// <summary>Buffered reader over the current transport.</summary>
    public MailStreamReader Reader { get; }

    /// <summary>True once TLS protects the connection.</summary>
    public bool IsSecure => _stream is SslStream;

    /// <summary>False after a timeout, drop, cancellation mid-operation, protocol violation, or disposal.</summary>
    public bool IsUsable => _brokenReason is null && !_disposed;

    /// <summary>What the server said when it announced it would close (IMAP BYE, SMTP 421); added to later errors.</summary>
    public string? ServerFarewell { get; set; }

    /// <summary>Opens a TCP connection (and TLS at once for <see cref="MailSecurity.ImplicitTls"/>).</summary>
    public static async Task<MailConnection> OpenAsync(
        string host, int port, MailSecurity security, TlsSettings tls, TimeSpan connectTimeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(tls);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(host, port, timeout.Token);
            }
            catch (Exception ex)
            {
                socket.Dispose();
                if (ct.IsCancellationRequested)
                {
                    throw new OperationCanceledException("connect cancelled", ex, ct);
                }

                if (timeout.IsCancellationRequested)
                {
                    throw new MailConnectionException(
                        $"could not connect to {host}:{port}: timed out after {FormatDuration(connectTimeout)}",
                        new TimeoutException("connect timed out", ex));
                }

                var why = ex is SocketException se ? DescribeSocketError(se) : ex.Message;
                throw new MailConnectionException($"could not connect to {host}:{port}: {why}", ex);
            }
        }

        var connection = new MailConnection(new NetworkStream(socket, ownsSocket: true), host);
        if (security == MailSecurity.ImplicitTls)
        {
            try
            {
                await connection.UpgradeToTlsAsync(tls, ct);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        return connection;
    }

    /// <summary>
    /// Starts TLS on the current stream. Anything already buffered was sent before the upgrade and is discarded
    /// (STARTTLS injection defence); the return value says how many bytes that was.
    /// </summary>
    public async Task<int> UpgradeToTlsAsync(TlsSettings tls, CancellationToken ct)
    {
        ThrowIfUnusable();
        if (IsSecure)
        {
            throw new InvalidOperationException("the connection is already protected by TLS");
        }

        var discarded = Reader.DiscardBuffered();
        try
        {
            var ssl = await TlsConnector.AuthenticateAsClientAsync(_stream, Host, tls, ct);
            _stream = ssl;
            Reader.ReplaceStream(ssl);
        }
        catch
        {
            _brokenReason = "the TLS handshake failed";
            throw;
        }

        return discarded;
    }

    /// <summary>
    /// Runs one I/O operation under <paramref name="timeout"/> (restarted whenever bytes are read or written) and
    /// <paramref name="ct"/>; failures become <see cref="MailConnectionException"/> describing <paramref name="activity"/>.
    /// </summary>
    public async Task<T> RunAsync<T>(string activity, TimeSpan timeout, CancellationToken ct, Func<CancellationToken, ValueTask<T>> operation)
    {
        ThrowIfUnusable();
        using var timer = new OperationTimer(ct, timeout);
        _activeTimer = timer;
        try
        {
            return await operation(timer.Token);
        }
        catch (Exception ex)
        {
            throw Translate(ex, activity, timeout, timer.TimedOut, ct);
        }
        finally
        {
            _activeTimer = null;
        }
    }

    /// <summary>Runs one I/O operation without a result; see <see cref="RunAsync{T}"/>.</summary>
    public Task RunAsync(string activity, TimeSpan timeout, CancellationToken ct, Func<CancellationToken, ValueTask> operation) =>
        RunAsync<bool>(activity, timeout, ct, async token =>
        {
            await operation(token);
            return true;
        });

    /// <summary>Writes and flushes <paramref name="data"/> in chunks under <paramref name="timeout"/>.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, string activity, TimeSpan timeout, CancellationToken ct) =>
        RunAsync(activity, timeout, ct, token => WriteChunkedAsync(data, token));

    /// <summary>Writes without a timer of its own; for use inside <see cref="RunAsync{T}"/> or with a caller's token.</summary>
    public async ValueTask WriteChunkedAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        for (var offset = 0; offset < data.Length; offset += WriteChunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(WriteChunkSize, data.Length - offset));
            await _stream.WriteAsync(chunk, ct);
            _activeTimer?.Restart();
        }

        await _stream.FlushAsync(ct);
    }

    /// <summary>
    /// Turns a failure during I/O into the exception the caller sees and marks the connection broken:
    /// cancellation by <paramref name="callerToken"/> stays <see cref="OperationCanceledException"/>.
    /// </summary>
    public Exception Translate(Exception ex, string activity, TimeSpan timeout, bool timedOut, CancellationToken callerToken)
    {
        var farewell = ServerFarewell is null ? string.Empty : $" (the server had said: {ServerFarewell})";
        switch (ex)
        {
            case MailTlsException or MailConnectionException:
                _brokenReason ??= ex.Message;
                return ex;
            case MailProtocolException:
                _brokenReason ??= ex.Message;
                return new MailProtocolException($"{ex.Message} while {activity}", ex);
            case OperationCanceledException or IOException or ObjectDisposedException when callerToken.IsCancellationRequested:
                _brokenReason ??= $"an operation was cancelled while {activity}";
                return ex as OperationCanceledException ?? new OperationCanceledException($"cancelled while {activity}", ex, callerToken);
            case OperationCanceledException or IOException or ObjectDisposedException when timedOut:
                _brokenReason ??= $"timed out while {activity}";
                return new MailConnectionException(
                    $"timed out after {FormatDuration(timeout)} while {activity}{farewell}",
                    new TimeoutException($"no data for {FormatDuration(timeout)}", ex));
            case EndOfStreamException:
                _brokenReason ??= $"connection closed while {activity}";
                return new MailConnectionException($"connection closed by server while {activity}{farewell}", ex);
            case IOException or SocketException or ObjectDisposedException:
                _brokenReason ??= $"connection dropped while {activity}";
                var detail = ex.InnerException is SocketException inner ? DescribeSocketError(inner) : ex.Message;
                return new MailConnectionException($"connection dropped while {activity}: {detail}{farewell}", ex);
            default:
                _brokenReason ??= $"unexpected failure while {activity}";
                return ex;
        }
    }

    /// <summary>Marks the connection unusable (for example when an operation was abandoned half-way).</summary>
    public void MarkBroken(string reason) => _brokenReason ??= reason;

    /// <summary>Throws when the connection may no longer be used.</summary>
    public void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_brokenReason is not null)
        {
            throw new MailConnectionException($"the connection is no longer usable ({_brokenReason}); connect again");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // Closing a dropped connection may fail; there is nothing left to release.
        }
    }

    /// <summary>Formats a duration for messages ("2 min", "300 ms").</summary>
    public static string FormatDuration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms",
        < 120 => $"{duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
        _ => $"{duration.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} min",
    };

    private static string DescribeSocketError(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset by the server",
        SocketError.ConnectionAborted => "connection aborted",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        SocketError.TimedOut => "timed out",
        _ => ex.Message,
    };

    /// <summary>A timeout that restarts whenever the operation makes progress.</summary>
    private sealed class OperationTimer : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly TimeSpan _timeout;

        public OperationTimer(CancellationToken callerToken, TimeSpan timeout)
        {
            _timeout = timeout;
            _source = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            _source.CancelAfter(timeout);
        }

        public CancellationToken Token => _source.Token;

        /// <summary>True once the timer (or the caller's token) cancelled the operation.</summary>
        public bool TimedOut => _source.IsCancellationRequested;

        public void Restart()
        {
            try
            {
                if (!_source.IsCancellationRequested)
                {
                    _source.CancelAfter(_timeout);
                }
            }
            catch (ObjectDisposedException)
            {
                // The operation already ended.
            }
        }

        public void Dispose() => _source.Dispose();
    }
}
