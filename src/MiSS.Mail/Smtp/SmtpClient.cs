using System.Globalization;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Smtp;

/// <summary>
/// SMTP submission client (RFC 5321, 3207 STARTTLS, 4954 AUTH, 1870 SIZE, 6152 8BITMIME) over raw message bytes.
/// One operation at a time; after a <see cref="MailConnectionException"/> the client must be disposed.
/// </summary>
public sealed class SmtpClient : IAsyncDisposable
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    private readonly SmtpClientOptions _options;
    private readonly OperationGate _gate = new();
    private readonly Dictionary<string, string> _extensions = new(StringComparer.OrdinalIgnoreCase);
    private MailConnection? _connection;
    private TlsSettings _tls = new();
    private bool _disposed;

    /// <summary>Creates an unconnected client.</summary>
    public SmtpClient(SmtpClientOptions? options = null)
    {
        _options = options ?? new SmtpClientOptions();
        ProtocolText.RejectLineBreaks(_options.LocalDomain, nameof(options));
        if (string.IsNullOrWhiteSpace(_options.LocalDomain) || _options.LocalDomain.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException("LocalDomain must be a host name or address literal without spaces", nameof(options));
        }
    }

    /// <summary>EHLO keywords of the current session, uppercased (refreshed after STARTTLS).</summary>
    public IReadOnlyCollection<string> Extensions => _extensions.Keys.Select(k => k.ToUpperInvariant()).ToArray();

    /// <summary>Largest message the server accepts (SIZE), or null when it states no limit.</summary>
    public long? MaxMessageSize =>
        _extensions.TryGetValue("SIZE", out var value)
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0
            ? size
            : null;

    /// <summary>True when the session is protected by TLS.</summary>
    public bool IsSecure => _connection?.IsSecure ?? false;

    /// <summary>True while connected and usable.</summary>
    public bool IsConnected => _connection?.IsUsable ?? false;

    /// <summary>
    /// Connects, reads the greeting, says EHLO (HELO if refused); with <see cref="MailSecurity.StartTls"/> upgrades
    /// (failing if STARTTLS is not offered), discards anything sent before the upgrade and says EHLO again.
    /// </summary>
    public async Task ConnectAsync(string host, int port, MailSecurity security, TlsSettings tls, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = _gate.Enter(nameof(SmtpClient));
        if (_connection is not null)
        {
            throw new InvalidOperationException("the client is already connected; use a new client for a new connection");
        }

        var connection = await MailConnection.OpenAsync(host, port, security, tls, _options.ConnectTimeout, ct);
        _tls = tls;
        _connection = connection;
        try
        {
            var greeting = await ReadReplyAsync("reading the server greeting", _options.CommandTimeout, ct);
            if (greeting.Code != 220)
            {
                throw SmtpCommandException.FromReply("CONNECT", greeting);
            }

            await HelloAsync(ct);
            if (security == MailSecurity.StartTls)
            {
                if (!_extensions.ContainsKey("STARTTLS"))
                {
                    throw new MailTlsException($"{host} does not offer STARTTLS; refusing to continue without TLS");
                }

                var reply = await CommandAsync("STARTTLS", "STARTTLS", ct);
                if (reply.Code != 220)
                {
                    throw new MailTlsException($"{host} refused STARTTLS: {reply.Code} {reply.Text}");
                }

                await connection.UpgradeToTlsAsync(tls, ct);
                _extensions.Clear();
                await HelloAsync(ct);
            }
        }
        catch
        {
            _connection = null;
            _extensions.Clear();
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Authenticates with AUTH PLAIN (AUTH LOGIN when PLAIN is not offered). Refuses a channel without TLS unless
    /// <see cref="TlsSettings.AllowPlaintext"/>. Neither the password nor its encoding appears in any exception.
    /// </summary>
    public async Task AuthenticateAsync(string userName, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        using var scope = _gate.Enter(nameof(SmtpClient));
        RequireConnection();
        RequireProtectedChannel("send credentials");

        if (!_extensions.TryGetValue("AUTH", out var offered))
        {
            throw new MailException("the SMTP server offers no authentication (no AUTH in its EHLO reply)");
        }

        var mechanisms = offered.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        SmtpReply reply;
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            var initial = Base64($"\0{userName}\0{password}");
            reply = await CommandAsync("AUTH", $"AUTH PLAIN {initial}", ct);
            if (reply.Code == 334)
            {
                // The server ignored the initial response and asks for it now.
                reply = await CommandAsync("AUTH", initial, ct);
            }
        }
        else if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            reply = await CommandAsync("AUTH", "AUTH LOGIN", ct);
            if (reply.Code == 334)
            {
                reply = await CommandAsync("AUTH", Base64(userName), ct);
            }

            if (reply.Code == 334)
            {
                reply = await CommandAsync("AUTH", Base64(password), ct);
            }
        }
        else
        {
            throw new MailException($"the SMTP server offers no supported authentication mechanism (offered: {offered}; supported: PLAIN, LOGIN)");
        }

        if (reply.Code == 334)
        {
            // More challenges than the mechanism has: abort the exchange (RFC 4954 "*").
            var cancelled = await CommandAsync("AUTH", "*", ct);
            throw SmtpCommandException.FromReply("AUTH", cancelled.IsPositive ? reply : cancelled);
        }

        if (reply.Code != 235)
        {
            throw SmtpCommandException.FromReply("AUTH", reply);
        }
    }

    /// <summary>
    /// Sends one message: MAIL FROM (with SIZE= when offered, BODY=8BITMIME for 8-bit data when offered), RCPT TO for
    /// each recipient, DATA with CRLF normalisation and dot-stuffing. Returns per-recipient results; throws
    /// <see cref="SmtpCommandException"/> when MAIL or DATA is refused or every recipient is refused.
    /// </summary>
    /// <param name="mailFrom">Envelope sender; empty for the null reverse-path.</param>
    /// <param name="recipients">Envelope recipients (at least one).</param>
    /// <param name="message">The complete message as bytes (headers and body).</param>
    /// <param name="ct">Cancels the send; the connection is unusable afterwards.</param>
    public async Task<SmtpSendResult> SendAsync(
        string mailFrom, IReadOnlyList<string> recipients, ReadOnlyMemory<byte> message, CancellationToken ct = default)
    {
        CheckAddress(mailFrom, nameof(mailFrom), allowEmpty: true);
        ArgumentNullException.ThrowIfNull(recipients);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("at least one recipient is required", nameof(recipients));
        }

        foreach (var recipient in recipients)
        {
            CheckAddress(recipient, nameof(recipients), allowEmpty: false);
        }

        using var scope = _gate.Enter(nameof(SmtpClient));
        var connection = RequireConnection();
        RequireProtectedChannel("send mail");

        var measurement = SmtpDataEncoder.Measure(message.Span);
        var mailCommand = new StringBuilder($"MAIL FROM:<{mailFrom}>");
        if (_extensions.ContainsKey("SIZE"))
        {
            mailCommand.Append(CultureInfo.InvariantCulture, $" SIZE={measurement.NormalizedSize}");
        }

        if (measurement.HasEightBit && _extensions.ContainsKey("8BITMIME"))
        {
            mailCommand.Append(" BODY=8BITMIME");
        }

        if (!ProtocolText.IsAscii(mailFrom) || recipients.Any(r => !ProtocolText.IsAscii(r)))
        {
            if (!_extensions.ContainsKey("SMTPUTF8"))
            {
                throw new MailException("an address contains non-ASCII characters but the server does not offer SMTPUTF8");
            }

            mailCommand.Append(" SMTPUTF8");
        }

        var reply = await CommandAsync("MAIL", mailCommand.ToString(), ct);
        if (!reply.IsPositive)
        {
            throw SmtpCommandException.FromReply("MAIL", reply);
        }

        var results = new List<SmtpRecipientResult>(recipients.Count);
        foreach (var recipient in recipients)
        {
            reply = await CommandAsync("RCPT", $"RCPT TO:<{recipient}>", ct);
            results.Add(new SmtpRecipientResult(recipient, reply.IsPositive, reply.Code, string.Join(" ", reply.Lines)));
        }

        if (!results.Exists(r => r.Accepted))
        {
            await ResetAsync(ct);
            throw SmtpCommandException.AllRecipientsRefused(results);
        }

        reply = await CommandAsync("DATA", "DATA", ct);
        if (reply.Code != 354)
        {
            await ResetAsync(ct);
            throw SmtpCommandException.FromReply("DATA", reply);
        }

        var payload = SmtpDataEncoder.Encode(message.Span);
        await connection.WriteAsync(payload, "sending the message data", _options.DataTimeout, ct);
        reply = await ReadReplyAsync("waiting for the reply to the message data", _options.DataTimeout, ct);
        if (!reply.IsPositive)
        {
            throw SmtpCommandException.FromReply("DATA", reply);
        }

        return new SmtpSendResult(results, reply.Text);
    }

    /// <summary>Says QUIT and closes the connection; a server that closes without answering is not an error.</summary>
    public async Task QuitAsync(CancellationToken ct = default)
    {
        using var scope = _gate.Enter(nameof(SmtpClient));
        var connection = _connection;
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.IsUsable)
            {
                await CommandAsync("QUIT", "QUIT", ct);
            }
        }
        catch (Exception ex) when (ex is MailConnectionException or MailProtocolException)
        {
            // The server hung up first or answered nonsense: the session is over either way.
        }
        finally
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }

    /// <summary>Closes the connection without QUIT.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private async Task HelloAsync(CancellationToken ct)
    {
        var reply = await CommandAsync("EHLO", $"EHLO {_options.LocalDomain}", ct);
        if (reply.IsPositive)
        {
            ParseExtensions(reply);
            return;
        }

        if (reply.Code is 500 or 501 or 502 or 504 or 550)
        {
            reply = await CommandAsync("HELO", $"HELO {_options.LocalDomain}", ct);
            if (reply.IsPositive)
            {
                return;
            }

            throw SmtpCommandException.FromReply("HELO", reply);
        }

        throw SmtpCommandException.FromReply("EHLO", reply);
    }

    private void ParseExtensions(SmtpReply reply)
    {
        _extensions.Clear();
        foreach (var line in reply.Lines.Skip(1))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
            var keyword = space < 0 ? trimmed : trimmed[..space];
            var parameters = space < 0 ? string.Empty : trimmed[(space + 1)..].Trim();
            if (keyword.StartsWith("AUTH=", StringComparison.OrdinalIgnoreCase))
            {
                // Old "AUTH=PLAIN LOGIN" form; the standard "AUTH ..." line wins when both are present.
                _extensions.TryAdd("AUTH", $"{keyword[5..]} {parameters}".Trim());
                continue;
            }

            _extensions[keyword] = parameters;
        }
    }

    private async Task ResetAsync(CancellationToken ct)
    {
        // Ends a half-built transaction. A refusal or a failure of RSET is not what the caller needs to hear about:
        // the refusal that led here is; a dropped connection has marked the client unusable already.
        try
        {
            await CommandAsync("RSET", "RSET", ct);
        }
        catch (Exception ex) when (ex is MailConnectionException or MailProtocolException)
        {
        }
    }

    private async Task<SmtpReply> CommandAsync(string verb, string line, CancellationToken ct)
    {
        var connection = RequireConnection();
        var bytes = new byte[Encoding.UTF8.GetByteCount(line) + 2];
        Encoding.UTF8.GetBytes(line, bytes);
        CrLf.CopyTo(bytes, bytes.Length - 2);
        await connection.WriteAsync(bytes, $"sending {verb}", _options.CommandTimeout, ct);
        var reply = await ReadReplyAsync($"waiting for the reply to {verb}", _options.CommandTimeout, ct);
        if (reply.Code == 421 && verb != "QUIT")
        {
            // The server is closing the session: no later command can succeed.
            throw SmtpCommandException.FromReply(verb, reply);
        }

        return reply;
    }

    private async Task<SmtpReply> ReadReplyAsync(string activity, TimeSpan timeout, CancellationToken ct)
    {
        var connection = RequireConnection();
        var reply = await connection.RunAsync(activity, timeout, ct, token => SmtpReplyReader.ReadAsync(connection.Reader, token));
        if (reply.Code == 421)
        {
            // The server is closing the session; whatever follows is a closed connection.
            connection.ServerFarewell = $"{reply.Code} {reply.Text}";
            connection.MarkBroken($"the server closed the session: {reply.Code} {reply.Text}");
        }

        return reply;
    }

    private MailConnection RequireConnection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = _connection ?? throw new InvalidOperationException("the client is not connected");
        connection.ThrowIfUnusable();
        return connection;
    }

    private void RequireProtectedChannel(string what)
    {
        if (!IsSecure && !_tls.AllowPlaintext)
        {
            throw new MailTlsException($"refusing to {what} over a connection without TLS (TlsSettings.AllowPlaintext is not set)");
        }
    }

    private static void CheckAddress(string address, string parameterName, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(address, parameterName);
        if (!allowEmpty && address.Length == 0)
        {
            throw new ArgumentException("an address must not be empty", parameterName);
        }

        foreach (var c in address)
        {
            if (char.IsControl(c) || c is '<' or '>' or ' ')
            {
                throw new ArgumentException("an address must not contain control characters, spaces, '<' or '>'", parameterName);
            }
        }
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
