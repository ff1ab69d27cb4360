using System.Globalization;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Smtp;

/// <summary>
/// SMTP submission client (RFC 5321, 3207 STARTTLS, 4954 AUTH with PLAIN, LOGIN and XOAUTH2, 1870 SIZE,
/// 6152 8BITMIME, 2920 PIPELINING, 3461 DSN) over raw message bytes.
/// One operation at a time; after a <see cref="MailConnectionException"/> the client must be disposed.
/// </summary>
public sealed class SmtpClient : IAsyncDisposable
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    /// <summary>RFC 4954 section 4: servers accept AUTH command lines of at least 12288 octets.</summary>
    private const int MaxAuthLineLength = 12288;

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
        var mechanisms = OfferedMechanisms();
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            await AuthenticatePasswordAsync(SmtpAuthMechanism.Plain, userName, password, ct);
        }
        else if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            await AuthenticatePasswordAsync(SmtpAuthMechanism.Login, userName, password, ct);
        }
        else
        {
            throw new MailException($"the SMTP server offers no supported authentication mechanism (offered: {string.Join(' ', mechanisms)}; supported: PLAIN, LOGIN)");
        }
    }

    /// <summary>
    /// Authenticates with the given password mechanism, which the server must offer. Same rules as
    /// <see cref="AuthenticateAsync(string, string, CancellationToken)"/>.
    /// </summary>
    public async Task AuthenticateAsync(string userName, string password, SmtpAuthMechanism mechanism, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        var name = mechanism switch
        {
            SmtpAuthMechanism.Plain => "PLAIN",
            SmtpAuthMechanism.Login => "LOGIN",
            _ => throw new ArgumentOutOfRangeException(nameof(mechanism)),
        };
        using var scope = _gate.Enter(nameof(SmtpClient));
        RequireConnection();
        RequireProtectedChannel("send credentials");
        if (!OfferedMechanisms().Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new MailException($"the SMTP server does not offer AUTH {name}");
        }

        await AuthenticatePasswordAsync(mechanism, userName, password, ct);
    }

    /// <summary>
    /// Authenticates with SASL XOAUTH2 (an OAuth 2.0 bearer token, as Gmail and Microsoft 365 accept). When the server
    /// refuses the token it first sends a JSON error as a challenge; the client answers with an empty line and reports
    /// the final refusal as <see cref="SmtpCommandException"/>, with the JSON "status" added to its text. Refuses a
    /// channel without TLS unless <see cref="TlsSettings.AllowPlaintext"/>. The token never appears in any exception.
    /// </summary>
    /// <param name="userName">The mailbox the token was issued for.</param>
    /// <param name="accessToken">The OAuth 2.0 access token (not the refresh token).</param>
    /// <param name="ct">Cancels the exchange; the connection is unusable afterwards.</param>
    public async Task AuthenticateOAuth2Async(string userName, string accessToken, CancellationToken ct = default)
    {
        var initial = SaslOAuth2.InitialResponse(userName, accessToken);
        using var scope = _gate.Enter(nameof(SmtpClient));
        RequireConnection();
        RequireProtectedChannel("send credentials");
        if (!OfferedMechanisms().Contains("XOAUTH2", StringComparer.OrdinalIgnoreCase))
        {
            throw new MailException("the SMTP server does not offer AUTH XOAUTH2");
        }

        SmtpReply reply;
        if ("AUTH XOAUTH2 ".Length + initial.Length + 2 <= MaxAuthLineLength)
        {
            reply = await CommandAsync("AUTH", $"AUTH XOAUTH2 {initial}", ct);
        }
        else
        {
            // RFC 4954 section 4: an initial response that would make the line too long is sent after an empty challenge.
            reply = await CommandAsync("AUTH", "AUTH XOAUTH2", ct);
            if (reply.Code != 334)
            {
                throw SmtpCommandException.FromReply("AUTH", reply);
            }

            reply = await CommandAsync("AUTH", initial, ct);
        }

        if (reply.Code == 334)
        {
            // The error challenge: a base64 JSON document. The exchange ends with an empty response.
            var detail = SaslOAuth2.DescribeErrorChallenge(reply.Text);
            reply = await CommandAsync("AUTH", string.Empty, ct);
            if (reply.Code == 334)
            {
                reply = await CommandAsync("AUTH", "*", ct);
            }

            if (reply.Code != 235)
            {
                throw new SmtpCommandException("AUTH", reply.Code, reply.EnhancedCode, $"{reply.Text}{detail}".Trim());
            }
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
    public Task<SmtpSendResult> SendAsync(
        string mailFrom, IReadOnlyList<string> recipients, ReadOnlyMemory<byte> message, CancellationToken ct = default) =>
        SendAsync(mailFrom, recipients, message, null, ct);

    /// <summary>
    /// Sends one message like <see cref="SendAsync(string, IReadOnlyList{string}, ReadOnlyMemory{byte}, CancellationToken)"/>,
    /// adding the delivery status notification parameters of <paramref name="options"/> when the server offers DSN
    /// (they are left out silently otherwise). When the server offers PIPELINING (RFC 2920), MAIL FROM and every
    /// RCPT TO go out in one write and the replies are read in order; the results are the same as without it.
    /// DATA is sent only after those replies.
    /// </summary>
    /// <param name="mailFrom">Envelope sender; empty for the null reverse-path.</param>
    /// <param name="recipients">Envelope recipients (at least one).</param>
    /// <param name="message">The complete message as bytes (headers and body).</param>
    /// <param name="options">DSN parameters; null for none.</param>
    /// <param name="ct">Cancels the send; the connection is unusable afterwards.</param>
    public async Task<SmtpSendResult> SendAsync(
        string mailFrom, IReadOnlyList<string> recipients, ReadOnlyMemory<byte> message, SmtpSendOptions? options,
        CancellationToken ct = default)
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

        options?.Validate();
        using var scope = _gate.Enter(nameof(SmtpClient));
        var connection = RequireConnection();
        RequireProtectedChannel("send mail");

        var measurement = SmtpDataEncoder.Measure(message.Span);
        var dsn = options is not null && _extensions.ContainsKey("DSN") ? options : null;
        var commands = new List<(string Verb, string Line)>(recipients.Count + 1)
        {
            ("MAIL", BuildMailCommand(mailFrom, recipients, measurement, dsn)),
        };
        commands.AddRange(recipients.Select(r => ("RCPT", BuildRecipientCommand(r, dsn))));

        SmtpReply reply;
        var results = new List<SmtpRecipientResult>(recipients.Count);
        if (_extensions.ContainsKey("PIPELINING"))
        {
            var replies = await PipelineAsync(commands, ct);
            if (!replies[0].IsPositive)
            {
                throw SmtpCommandException.FromReply("MAIL", replies[0]);
            }

            for (var i = 0; i < recipients.Count; i++)
            {
                results.Add(RecipientResult(recipients[i], replies[i + 1]));
            }
        }
        else
        {
            reply = await CommandAsync("MAIL", commands[0].Line, ct);
            if (!reply.IsPositive)
            {
                throw SmtpCommandException.FromReply("MAIL", reply);
            }

            for (var i = 0; i < recipients.Count; i++)
            {
                reply = await CommandAsync("RCPT", commands[i + 1].Line, ct);
                results.Add(RecipientResult(recipients[i], reply));
            }
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

    private string[] OfferedMechanisms()
    {
        if (!_extensions.TryGetValue("AUTH", out var offered))
        {
            throw new MailException("the SMTP server offers no authentication (no AUTH in its EHLO reply)");
        }

        return offered.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private async Task AuthenticatePasswordAsync(SmtpAuthMechanism mechanism, string userName, string password, CancellationToken ct)
    {
        SmtpReply reply;
        if (mechanism == SmtpAuthMechanism.Plain)
        {
            var initial = Base64($"\0{userName}\0{password}");
            reply = await CommandAsync("AUTH", $"AUTH PLAIN {initial}", ct);
            if (reply.Code == 334)
            {
                // The server ignored the initial response and asks for it now.
                reply = await CommandAsync("AUTH", initial, ct);
            }
        }
        else
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

    private string BuildMailCommand(
        string mailFrom, IReadOnlyList<string> recipients, SmtpDataEncoder.Measurement measurement, SmtpSendOptions? dsn)
    {
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

        if (dsn?.Return is { } ret)
        {
            mailCommand.Append(ret == DsnReturn.Full ? " RET=FULL" : " RET=HDRS");
        }

        if (dsn?.EnvelopeId is { } envelopeId)
        {
            mailCommand.Append(" ENVID=").Append(SmtpXText.Encode(envelopeId));
        }

        return mailCommand.ToString();
    }

    private static string BuildRecipientCommand(string recipient, SmtpSendOptions? dsn)
    {
        var command = new StringBuilder($"RCPT TO:<{recipient}>");
        if (dsn is null)
        {
            return command.ToString();
        }

        if (dsn.Notify != DsnNotify.None)
        {
            var notify = dsn.Notify == DsnNotify.Never
                ? ["NEVER"]
                : new[] { (DsnNotify.Success, "SUCCESS"), (DsnNotify.Failure, "FAILURE"), (DsnNotify.Delay, "DELAY") }
                    .Where(v => dsn.Notify.HasFlag(v.Item1)).Select(v => v.Item2);
            command.Append(" NOTIFY=").AppendJoin(',', notify);
        }

        if (dsn.IncludeOriginalRecipient && ProtocolText.IsAscii(recipient))
        {
            command.Append(" ORCPT=rfc822;").Append(SmtpXText.Encode(recipient));
        }

        return command.ToString();
    }

    private static SmtpRecipientResult RecipientResult(string recipient, SmtpReply reply) =>
        new(recipient, reply.IsPositive, reply.Code, string.Join(" ", reply.Lines));

    /// <summary>
    /// Sends <paramref name="commands"/> in one write and reads one reply per command, in order (RFC 2920). The
    /// write runs while the replies are read, so that a server that answers before it has read everything cannot
    /// make both sides wait on full buffers. A 421 ends the exchange at once, as it does without pipelining.
    /// </summary>
    private async Task<List<SmtpReply>> PipelineAsync(IReadOnlyList<(string Verb, string Line)> commands, CancellationToken ct)
    {
        var connection = RequireConnection();
        var payload = Encoding.UTF8.GetBytes(string.Concat(commands.Select(c => c.Line + "\r\n")));
        var writeCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var write = connection.WriteChunkedAsync(payload, writeCancel.Token).AsTask();
        var replies = new List<SmtpReply>(commands.Count);
        try
        {
            foreach (var (verb, _) in commands)
            {
                SmtpReply reply;
                try
                {
                    reply = await ReadReplyAsync($"waiting for the reply to {verb}", _options.CommandTimeout, ct);
                }
                catch (MailConnectionException) when (replies.Count > 0 && !replies[0].IsPositive)
                {
                    // MAIL was refused and the server went away before answering the rest: the refusal is what
                    // matters to the caller (the connection is marked unusable all the same).
                    throw SmtpCommandException.FromReply("MAIL", replies[0]);
                }

                if (reply.Code == 421)
                {
                    throw SmtpCommandException.FromReply(verb, reply);
                }

                replies.Add(reply);
            }
        }
        catch
        {
            // The connection is broken (or the server is closing it): stop writing, and observe the write's fate.
            connection.MarkBroken("a pipelined exchange failed");
            await writeCancel.CancelAsync();
            _ = write.ContinueWith(
                static (t, state) =>
                {
                    _ = t.Exception;
                    ((CancellationTokenSource)state!).Dispose();
                },
                writeCancel,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }

        try
        {
            // Every reply has arrived, so the server has read every command: the write has finished.
            await write;
        }
        catch (Exception ex)
        {
            throw connection.Translate(ex, "sending MAIL and RCPT", _options.CommandTimeout, timedOut: false, ct);
        }
        finally
        {
            writeCancel.Dispose();
        }

        return replies;
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
