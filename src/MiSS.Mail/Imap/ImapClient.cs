using System.Globalization;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Imap;

/// <summary>
/// IMAP4rev1 client (RFC 3501, compatible with IMAP4rev2 servers of RFC 9051; 2177 IDLE, 7888 LITERAL+,
/// 4959 SASL-IR, 4315 UIDPLUS, 6851 MOVE, 6154 SPECIAL-USE, SASL PLAIN and XOAUTH2) over raw message bytes.
/// One operation at a time; after a <see cref="MailConnectionException"/> or <see cref="MailProtocolException"/> the
/// client must be disposed. Every read is bounded by <see cref="ImapClientOptions.CommandTimeout"/> (IDLE by its own
/// duration and <see cref="ImapClientOptions.DoneTimeout"/>), so a dropped connection is reported, never waited on.
/// Untagged responses that arrive during any command (EXISTS, EXPUNGE, FETCH, CAPABILITY, ALERT, BYE) update
/// the client's state; a change noticed outside IDLE makes the next <see cref="IdleAsync"/> return at once.
/// Mailbox names are given and returned as plain text; they travel in modified UTF-7.
/// </summary>
public sealed partial class ImapClient : IAsyncDisposable
{
    private const int MaxAlerts = 100;
    private const int NonSynchronizingLiteralLimit = 4096;

    private readonly ImapClientOptions _options;
    private readonly OperationGate _gate = new();
    private readonly List<string> _alerts = [];
    private HashSet<string> _capabilities = new(StringComparer.OrdinalIgnoreCase);
    private MailConnection? _connection;
    private ImapResponseReader? _responses;
    private TlsSettings _tls = new();
    private int _tagCounter;
    private int _capabilityGeneration;
    private ImapMailbox? _selected;
    private int _exists;
    private bool _pendingChange;
    private bool _existsReported;
    private bool _authenticated;
    private bool _disposed;

    /// <summary>Creates an unconnected client.</summary>
    public ImapClient(ImapClientOptions? options = null)
    {
        _options = options ?? new ImapClientOptions();
    }

    /// <summary>Capabilities of the current session, uppercased (refreshed after STARTTLS and login).</summary>
    public IReadOnlyCollection<string> Capabilities => _capabilities.Select(c => c.ToUpperInvariant()).ToArray();

    /// <summary>True when the session is protected by TLS.</summary>
    public bool IsSecure => _connection?.IsSecure ?? false;

    /// <summary>True while connected and usable.</summary>
    public bool IsConnected => _connection?.IsUsable ?? false;

    /// <summary>True after a successful login (or a PREAUTH greeting).</summary>
    public bool IsAuthenticated => _authenticated;

    /// <summary>The selected mailbox with its current message count, or null.</summary>
    public ImapMailbox? SelectedMailbox => _selected is null ? null : _selected with { Exists = _exists };

    /// <summary>True when the server reported a change that no <see cref="IdleAsync"/> has returned yet.</summary>
    public bool HasPendingChanges => _pendingChange;

    /// <summary>[ALERT] texts received from the server (RFC 3501 7.1), oldest first; they are meant for a human.</summary>
    public IReadOnlyList<string> Alerts => _alerts.ToArray();

    /// <summary>
    /// Connects, reads the greeting (using its [CAPABILITY] code if present, else asking CAPABILITY); with
    /// <see cref="MailSecurity.StartTls"/> upgrades (failing if STARTTLS is not offered), discards anything sent
    /// before the upgrade and asks CAPABILITY again.
    /// </summary>
    public async Task ConnectAsync(string host, int port, MailSecurity security, TlsSettings tls, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = _gate.Enter(nameof(ImapClient));
        if (_connection is not null)
        {
            throw new InvalidOperationException("the client is already connected; use a new client for a new connection");
        }

        var connection = await MailConnection.OpenAsync(host, port, security, tls, _options.ConnectTimeout, ct);
        _tls = tls;
        _connection = connection;
        _responses = new ImapResponseReader(connection.Reader, maxLiteralSize: _options.MaxLiteralSize);
        try
        {
            var greeting = await ReadResponseAsync("reading the server greeting", ct);
            if (greeting.Kind != ImapResponseKind.Untagged || !greeting.IsStatus)
            {
                throw ProtocolViolation($"the server did not start with a greeting but with \"{greeting}\"");
            }

            HandleStatusCodes(greeting);
            switch (greeting.Status)
            {
                case "OK":
                    break;
                case "PREAUTH":
                    _authenticated = true;
                    break;
                case "BYE":
                    throw new MailConnectionException($"{host} refused the session: {greeting.Text}");
                default:
                    throw ProtocolViolation($"the server greeted with {greeting.Status}");
            }

            if (_capabilityGeneration == 0)
            {
                await RefreshCapabilitiesAsync(ct);
            }

            if (security == MailSecurity.StartTls)
            {
                await StartTlsAsync(connection, host, tls, ct);
            }
        }
        catch
        {
            ResetSession();
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Logs in with LOGIN (arguments quoted or sent as literals as needed) and refreshes the capabilities.
    /// Refuses a channel without TLS unless <see cref="TlsSettings.AllowPlaintext"/>, whatever the server allows.
    /// </summary>
    public async Task LoginAsync(string userName, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireConnection();
        if (_authenticated)
        {
            throw new InvalidOperationException("the session is already authenticated");
        }

        RequireProtectedChannel("send credentials");
        if (_capabilities.Contains("LOGINDISABLED"))
        {
            throw new MailException("the IMAP server does not allow LOGIN on this connection (LOGINDISABLED)");
        }

        var generation = _capabilityGeneration;
        await ExecuteAsync(new ImapCommandBuilder("LOGIN").AString(userName).AString(password), null, ct);
        _authenticated = true;
        if (_capabilityGeneration == generation)
        {
            await RefreshCapabilitiesAsync(ct);
        }
    }

    /// <summary>
    /// Selects a mailbox (name encoded in modified UTF-7 when needed) and returns its state. Like login, refused on a
    /// channel without TLS unless <see cref="TlsSettings.AllowPlaintext"/> (a PREAUTH session would otherwise read mail in clear).
    /// </summary>
    public async Task<ImapMailbox> SelectAsync(string mailbox, CancellationToken ct = default)
    {
        CheckMailboxName(mailbox, nameof(mailbox));
        using var scope = _gate.Enter(nameof(ImapClient));
        return await OpenMailboxAsync("SELECT", mailbox, ct);
    }

    /// <summary>
    /// Opens a mailbox read-only with EXAMINE (nothing in it changes, not even \Recent or \Seen) and returns its state
    /// with <see cref="ImapMailbox.ReadOnly"/> set. Commands that would change it are refused by the server.
    /// </summary>
    public async Task<ImapMailbox> ExamineAsync(string mailbox, CancellationToken ct = default)
    {
        CheckMailboxName(mailbox, nameof(mailbox));
        using var scope = _gate.Enter(nameof(ImapClient));
        return await OpenMailboxAsync("EXAMINE", mailbox, ct);
    }

    /// <summary>
    /// Runs UID SEARCH with <paramref name="criteria"/> (ASCII, for example "UID 7:*" or "ALL") and returns the UIDs
    /// ascending. Note that "UID n:*" always matches the highest UID, even when it is below n.
    /// </summary>
    public Task<IReadOnlyList<uint>> UidSearchAsync(string criteria, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(criteria);
        ProtocolText.RejectLineBreaks(criteria, nameof(criteria));
        if (!ProtocolText.IsAscii(criteria))
        {
            throw new ArgumentException("search criteria must be ASCII", nameof(criteria));
        }
        return SearchAsync(new ImapCommandBuilder("UID SEARCH").Raw(criteria), ct);
    }

    /// <summary>
    /// UID SEARCH HEADER: the messages whose <paramref name="field"/> header contains <paramref name="value"/> (a
    /// substring match, case-insensitive, RFC 3501 section 6.4.4); the value is quoted or sent as a literal as needed.
    /// </summary>
    public Task<IReadOnlyList<uint>> UidSearchHeaderAsync(string field, string value, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        ArgumentException.ThrowIfNullOrEmpty(value);
        return SearchAsync(new ImapCommandBuilder("UID SEARCH").Raw("HEADER").AString(field).AString(value), ct);
    }

    private async Task<IReadOnlyList<uint>> SearchAsync(ImapCommandBuilder command, CancellationToken ct)
    {
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        var uids = new SortedSet<uint>();
        await ExecuteAsync(
            command,
            response =>
            {
                if (!response.IsData("SEARCH"))
                {
                    return false;
                }

                foreach (var value in response.Values)
                {
                    if (value.TryGetNumber(out var uid) && uid != 0)
                    {
                        uids.Add(uid);
                    }
                }

                return true;
            },
            ct);
        return uids.ToArray();
    }

    /// <summary>
    /// Fetches the complete message with BODY.PEEK[] (the \Seen flag is not set) as exact bytes; null when the UID
    /// does not exist (any more).
    /// </summary>
    public async Task<byte[]?> UidFetchMessageAsync(uint uid, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(uid);
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        byte[]? body = null;
        var response = await ExecuteAsync(
            new ImapCommandBuilder("UID FETCH").Raw(string.Create(CultureInfo.InvariantCulture, $"{uid} (UID BODY.PEEK[])")),
            fetch =>
            {
                if (!fetch.IsData("FETCH") || fetch.Values.Count == 0 || fetch.Values[0] is not ImapList list)
                {
                    return false;
                }

                var items = FetchItems(list);
                if (!items.TryGetValue("UID", out var uidValue) || !uidValue.TryGetNumber(out var fetched) || fetched != uid
                    || !items.TryGetValue("BODY[]", out var content))
                {
                    // Another message, or only flags of this one: an unsolicited change.
                    return false;
                }

                body = content switch
                {
                    ImapString s => s.Bytes,
                    ImapNil => [],
                    _ => throw ProtocolViolation("BODY[] in a FETCH response is neither a string nor NIL"),
                };
                return true;
            },
            ct,
            throwOnFailure: false);

        if (response.Status == "OK")
        {
            return body;
        }

        if (response.Status == "NO" && response.Code?.Name == "EXPUNGEISSUED")
        {
            return null;
        }

        throw new ImapCommandException("UID FETCH", response.Status!, response.Text, response.Code?.Name);
    }

    /// <summary>
    /// Waits with IDLE until the server reports EXISTS, EXPUNGE, RECENT or FETCH, until <paramref name="maxDuration"/>
    /// elapses, or until <paramref name="ct"/> fires; then sends DONE and waits at most
    /// <see cref="ImapClientOptions.DoneTimeout"/> for the tagged OK (else <see cref="MailConnectionException"/>).
    /// Cancellation through <paramref name="ct"/> ends the IDLE cleanly and returns normally (a token already cancelled
    /// on entry throws <see cref="OperationCanceledException"/> without starting). Returns at once when a change was
    /// already noticed during an earlier command. Without the IDLE capability it waits and sends NOOP.
    /// </summary>
    public async Task<ImapIdleResult> IdleAsync(TimeSpan maxDuration, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxDuration, TimeSpan.Zero);
        using var scope = _gate.Enter(nameof(ImapClient));
        var connection = RequireSelected();
        ct.ThrowIfCancellationRequested();
        if (_pendingChange)
        {
            return TakeIdleResult();
        }

        if (!_capabilities.Contains("IDLE"))
        {
            return await PollAsync(maxDuration, ct);
        }

        // Until the server has accepted IDLE, cancellation is deferred (the wait is bounded by CommandTimeout), so that
        // a cancelled IDLE always ends with a clean DONE instead of an abandoned command.
        var tag = NextTag();
        await WriteAsync(Encoding.ASCII.GetBytes($"{tag} IDLE\r\n"), "sending IDLE", CancellationToken.None);
        while (true)
        {
            var response = await ReadResponseAsync("waiting for the server to accept IDLE", CancellationToken.None);
            if (response.Kind == ImapResponseKind.Continuation)
            {
                break;
            }

            if (response.Kind == ImapResponseKind.Tagged)
            {
                CompleteTagged(response, tag, "IDLE", throwOnFailure: true);
                return TakeIdleResult();
            }

            HandleUntagged(response);
        }

        using var readCancel = new CancellationTokenSource();
        Task<ImapResponse>? pending = null;
        try
        {
            var deadline = Task.Delay(maxDuration, ct);
            while (!_pendingChange)
            {
                pending ??= _responses!.ReadAsync(readCancel.Token).AsTask();
                if (await Task.WhenAny(pending, deadline) != pending)
                {
                    break;
                }

                var response = await AwaitIdleResponseAsync(connection, pending, "waiting in IDLE", readCancel, null);
                pending = null;
                if (response.Kind == ImapResponseKind.Tagged)
                {
                    // The server ended the IDLE by itself.
                    CompleteTagged(response, tag, "IDLE", throwOnFailure: true);
                    return TakeIdleResult();
                }

                if (response.Kind == ImapResponseKind.Untagged)
                {
                    HandleUntagged(response);
                }
            }

            readCancel.CancelAfter(_options.DoneTimeout);
            await connection.WriteAsync("DONE\r\n"u8.ToArray(), "sending DONE", _options.DoneTimeout, CancellationToken.None);
            while (true)
            {
                pending ??= _responses!.ReadAsync(readCancel.Token).AsTask();
                var response = await AwaitIdleResponseAsync(
                    connection, pending, "waiting for the server to acknowledge DONE", readCancel, _options.DoneTimeout);
                pending = null;
                if (response.Kind == ImapResponseKind.Tagged)
                {
                    CompleteTagged(response, tag, "IDLE", throwOnFailure: true);
                    return TakeIdleResult();
                }

                if (response.Kind == ImapResponseKind.Untagged)
                {
                    HandleUntagged(response);
                }
            }
        }
        finally
        {
            if (pending is { IsCompleted: false })
            {
                connection.MarkBroken("an IDLE ended with a read still pending");
                await readCancel.CancelAsync();
                _ = pending.ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Sends NOOP; changes reported with it are kept for the next <see cref="IdleAsync"/>.</summary>
    public async Task NoopAsync(CancellationToken ct = default)
    {
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireConnection();
        await ExecuteAsync(new ImapCommandBuilder("NOOP"), null, ct);
    }

    /// <summary>Sends LOGOUT and closes the connection; a server that closes without answering is not an error.</summary>
    public async Task LogoutAsync(CancellationToken ct = default)
    {
        using var scope = _gate.Enter(nameof(ImapClient));
        var connection = _connection;
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.IsUsable)
            {
                await ExecuteAsync(new ImapCommandBuilder("LOGOUT"), null, ct);
            }
        }
        catch (Exception ex) when (ex is MailConnectionException or MailProtocolException or ImapCommandException)
        {
            // The server hung up first or refused: the session is over either way.
        }
        finally
        {
            ResetSession();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Closes the connection without LOGOUT.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var connection = _connection;
        ResetSession();
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private async Task<ImapMailbox> OpenMailboxAsync(string verb, string mailbox, CancellationToken ct)
    {
        RequireConnection();
        RequireProtectedChannel("open a mailbox");

        var exists = 0;
        uint uidValidity = 0;
        uint uidNext = 0;

        // A failed SELECT or EXAMINE leaves no mailbox selected (RFC 3501 6.3.1).
        _selected = null;
        var completion = await ExecuteAsync(
            new ImapCommandBuilder(verb).AString(ImapMailboxName.Encode(mailbox)),
            response =>
            {
                if (response.IsData("EXISTS") && response.Number is { } count)
                {
                    exists = ClampCount(count);
                    return true;
                }

                if (response.IsData("RECENT"))
                {
                    return true;
                }

                if (response.IsStatus && response.Code is { } code && code.Words.Length > 0)
                {
                    if (code.Name == "UIDVALIDITY")
                    {
                        uidValidity = ParseNumber(code.Words[0], "UIDVALIDITY");
                        return true;
                    }

                    if (code.Name == "UIDNEXT")
                    {
                        uidNext = ParseNumber(code.Words[0], "UIDNEXT");
                        return true;
                    }
                }

                return false;
            },
            ct);

        _exists = exists;
        _pendingChange = false;
        _existsReported = false;
        _selected = new ImapMailbox(mailbox, uidValidity, uidNext, exists)
        {
            ReadOnly = verb == "EXAMINE" || completion.Code?.Name == "READ-ONLY",
        };
        return _selected;
    }

    private static void CheckMailboxName(string mailbox, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(mailbox, parameterName);
        ProtocolText.RejectLineBreaks(mailbox, parameterName);
    }

    private async Task StartTlsAsync(MailConnection connection, string host, TlsSettings tls, CancellationToken ct)
    {
        if (_authenticated)
        {
            throw new MailTlsException($"{host} sent PREAUTH on a connection without TLS; STARTTLS is impossible in that state");
        }

        if (!_capabilities.Contains("STARTTLS"))
        {
            throw new MailTlsException($"{host} does not offer STARTTLS; refusing to continue without TLS");
        }

        try
        {
            await ExecuteAsync(new ImapCommandBuilder("STARTTLS"), null, ct);
        }
        catch (ImapCommandException ex)
        {
            throw new MailTlsException($"{host} refused STARTTLS: {ex.Status} {ex.ServerText}", ex);
        }

        await connection.UpgradeToTlsAsync(tls, ct);
        _capabilities = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await RefreshCapabilitiesAsync(ct);
    }

    private Task RefreshCapabilitiesAsync(CancellationToken ct) =>
        ExecuteAsync(new ImapCommandBuilder("CAPABILITY"), null, ct);

    private async Task<ImapIdleResult> PollAsync(TimeSpan maxDuration, CancellationToken ct)
    {
        try
        {
            await Task.Delay(maxDuration, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TakeIdleResult();
        }

        await ExecuteAsync(new ImapCommandBuilder("NOOP"), null, ct);
        return TakeIdleResult();
    }

    private ImapIdleResult TakeIdleResult()
    {
        var result = new ImapIdleResult(_pendingChange, _existsReported ? _exists : null);
        _pendingChange = false;
        _existsReported = false;
        return result;
    }

    private static async Task<ImapResponse> AwaitIdleResponseAsync(
        MailConnection connection, Task<ImapResponse> pending, string activity, CancellationTokenSource readCancel, TimeSpan? doneTimeout)
    {
        try
        {
            return await pending;
        }
        catch (Exception ex) when (doneTimeout is not null && readCancel.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            connection.MarkBroken("the server did not acknowledge DONE");
            throw new MailConnectionException(
                $"the server did not acknowledge DONE within {MailConnection.FormatDuration(doneTimeout.Value)}",
                new TimeoutException("IDLE was not terminated by the server", ex));
        }
        catch (Exception ex)
        {
            throw connection.Translate(ex, activity, TimeSpan.Zero, timedOut: false, CancellationToken.None);
        }
    }

    /// <summary>
    /// Sends a command (waiting for continuations before synchronizing literals) and reads until its tagged reply.
    /// Untagged responses go to <paramref name="onUntagged"/> first; those it does not consume update the state.
    /// </summary>
    private async Task<ImapResponse> ExecuteAsync(
        ImapCommandBuilder command, Func<ImapResponse, bool>? onUntagged, CancellationToken ct, bool throwOnFailure = true)
    {
        RequireConnection();
        var tag = NextTag();
        var verb = command.Verb;
        var parts = command.Build();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var prefix = i == 0 ? $"{tag} " : string.Empty;
            if (part.Literal is null)
            {
                await WriteAsync(Encoding.UTF8.GetBytes($"{prefix}{part.Text}\r\n"), $"sending {verb}", ct);
                break;
            }

            var nonSynchronizing = _capabilities.Contains("LITERAL+")
                || (_capabilities.Contains("LITERAL-") && part.Literal.Length <= NonSynchronizingLiteralLimit);
            var announcement = string.Create(
                CultureInfo.InvariantCulture, $"{prefix}{part.Text}{{{part.Literal.Length}{(nonSynchronizing ? "+" : string.Empty)}}}\r\n");
            await WriteAsync(Encoding.UTF8.GetBytes(announcement), $"sending {verb}", ct);
            if (!nonSynchronizing)
            {
                while (true)
                {
                    var response = await ReadResponseAsync($"waiting for the server to accept the {verb} arguments", ct);
                    if (response.Kind == ImapResponseKind.Continuation)
                    {
                        break;
                    }

                    if (response.Kind == ImapResponseKind.Tagged)
                    {
                        return CompleteTagged(response, tag, verb, throwOnFailure);
                    }

                    Dispatch(response, onUntagged);
                }
            }

            await WriteAsync(part.Literal, $"sending {verb}", ct);
        }

        while (true)
        {
            var response = await ReadResponseAsync($"waiting for the reply to {verb}", ct);
            switch (response.Kind)
            {
                case ImapResponseKind.Tagged:
                    return CompleteTagged(response, tag, verb, throwOnFailure);
                case ImapResponseKind.Continuation:
                    throw ProtocolViolation($"the server asked for a continuation during {verb}");
                default:
                    Dispatch(response, onUntagged);
                    break;
            }
        }
    }

    private ImapResponse CompleteTagged(ImapResponse response, string tag, string verb, bool throwOnFailure)
    {
        if (!string.Equals(response.Tag, tag, StringComparison.Ordinal))
        {
            throw ProtocolViolation($"the server answered tag {response.Tag} while {tag} ({verb}) was pending");
        }

        HandleStatusCodes(response);
        if (response.Status == "OK" || !throwOnFailure)
        {
            return response;
        }

        throw new ImapCommandException(verb, response.Status!, response.Text, response.Code?.Name);
    }

    private void Dispatch(ImapResponse response, Func<ImapResponse, bool>? onUntagged)
    {
        if (onUntagged?.Invoke(response) == true)
        {
            return;
        }

        HandleUntagged(response);
    }

    /// <summary>State updates from untagged responses that no command asked for.</summary>
    private void HandleUntagged(ImapResponse response)
    {
        if (response.IsStatus)
        {
            HandleStatusCodes(response);
            return;
        }

        switch (response.Name)
        {
            case "CAPABILITY":
                SetCapabilities(response.Values.Select(v => v.AsText()).OfType<string>());
                break;
            case "EXISTS" when response.Number is { } count:
                _exists = ClampCount(count);
                _existsReported = true;
                _pendingChange = true;
                break;
            case "EXPUNGE" when response.Number is not null:
                _exists = Math.Max(0, _exists - 1);
                _existsReported = true;
                _pendingChange = true;
                break;
            case "RECENT" when response.Number is > 0:
            case "FETCH":
            case "VANISHED":
                _pendingChange = true;
                break;
        }
    }

    private void HandleStatusCodes(ImapResponse response)
    {
        if (response.Status == "BYE" && _connection is not null)
        {
            _connection.ServerFarewell = $"BYE {response.Text}";
        }

        switch (response.Code?.Name)
        {
            case "CAPABILITY":
                SetCapabilities(response.Code.Words);
                break;
            case "UIDVALIDITY" when _selected is not null && response.Kind == ImapResponseKind.Untagged
                && response.Code.Words.Length > 0
                && uint.TryParse(response.Code.Words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var validity)
                && validity != _selected.UidValidity:
                // The UIDs of the selected mailbox were renumbered during the session: every stored UID is void.
                _selected = _selected with { UidValidity = validity };
                _pendingChange = true;
                break;
            case "ALERT":
                if (_alerts.Count == MaxAlerts)
                {
                    _alerts.RemoveAt(0);
                }

                _alerts.Add(response.Text);
                break;
        }
    }

    private void SetCapabilities(IEnumerable<string> capabilities)
    {
        _capabilities = new HashSet<string>(capabilities, StringComparer.OrdinalIgnoreCase);
        _capabilityGeneration++;
    }

    private static Dictionary<string, ImapValue> FetchItems(ImapList list)
    {
        var items = new Dictionary<string, ImapValue>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < list.Items.Count; i += 2)
        {
            if (list.Items[i] is ImapAtom name)
            {
                items[name.Value] = list.Items[i + 1];
            }
        }

        return items;
    }

    private uint ParseNumber(string text, string what) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ProtocolViolation($"{what} is not a number");

    private static int ClampCount(uint count) => (int)Math.Min(count, int.MaxValue);

    private Task<ImapResponse> ReadResponseAsync(string activity, CancellationToken ct)
    {
        var connection = RequireConnection();
        var responses = _responses!;
        return connection.RunAsync(activity, _options.CommandTimeout, ct, responses.ReadAsync);
    }

    private Task WriteAsync(byte[] data, string activity, CancellationToken ct) =>
        RequireConnection().WriteAsync(data, activity, _options.CommandTimeout, ct);

    private string NextTag() => string.Create(CultureInfo.InvariantCulture, $"A{++_tagCounter:D4}");

    private MailProtocolException ProtocolViolation(string message)
    {
        _connection?.MarkBroken(message);
        return new MailProtocolException(message);
    }

    private MailConnection RequireConnection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = _connection ?? throw new InvalidOperationException("the client is not connected");
        connection.ThrowIfUnusable();
        return connection;
    }

    private MailConnection RequireSelected()
    {
        var connection = RequireConnection();
        return _selected is null
            ? throw new InvalidOperationException("no mailbox is selected; call SelectAsync first")
            : connection;
    }

    private void RequireProtectedChannel(string what)
    {
        if (!IsSecure && !_tls.AllowPlaintext)
        {
            throw new MailTlsException($"refusing to {what} over a connection without TLS (TlsSettings.AllowPlaintext is not set)");
        }
    }

    private void ResetSession()
    {
        _connection = null;
        _responses = null;
        _capabilities = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        _selected = null;
        _authenticated = false;
        _pendingChange = false;
        _existsReported = false;
    }
}
