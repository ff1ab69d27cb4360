using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Imap;

/// <summary>AUTHENTICATE with SASL PLAIN and XOAUTH2.</summary>
public sealed partial class ImapClient
{
    /// <summary>
    /// Authenticates with AUTHENTICATE PLAIN (RFC 4616), sending the credentials with the command when the server
    /// offers SASL-IR (RFC 4959), else after its empty challenge; refreshes the capabilities. Fails when the server
    /// does not offer AUTH=PLAIN. Refuses a channel without TLS unless <see cref="TlsSettings.AllowPlaintext"/>,
    /// whatever the server allows. Neither the password nor its encoding appears in any exception.
    /// </summary>
    public async Task AuthenticateAsync(string userName, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        if (userName.Contains('\0', StringComparison.Ordinal) || password.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PLAIN credentials cannot contain NUL");
        }

        var response = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{userName}\0{password}"));
        using var scope = _gate.Enter(nameof(ImapClient));
        await AuthenticateSaslAsync("PLAIN", response, expectsErrorChallenge: false, ct);
    }

    /// <summary>
    /// Authenticates with AUTHENTICATE XOAUTH2 (an OAuth 2.0 bearer token, as Gmail and Microsoft 365 accept). A
    /// refused token comes back as a JSON error challenge; the client answers it with an empty line and reports the
    /// tagged NO as <see cref="ImapCommandException"/>, with the JSON "status" added to its text. Fails when the server
    /// does not offer AUTH=XOAUTH2; the same plaintext rule as <see cref="LoginAsync"/> applies. The token never
    /// appears in any exception.
    /// </summary>
    /// <param name="userName">The mailbox the token was issued for.</param>
    /// <param name="accessToken">The OAuth 2.0 access token.</param>
    /// <param name="ct">Cancels the exchange; the connection is unusable afterwards.</param>
    public async Task AuthenticateOAuth2Async(string userName, string accessToken, CancellationToken ct = default)
    {
        var response = SaslOAuth2.InitialResponse(userName, accessToken);
        using var scope = _gate.Enter(nameof(ImapClient));
        await AuthenticateSaslAsync("XOAUTH2", response, expectsErrorChallenge: true, ct);
    }

    private async Task AuthenticateSaslAsync(string mechanism, string initialResponse, bool expectsErrorChallenge, CancellationToken ct)
    {
        RequireConnection();
        if (_authenticated)
        {
            throw new InvalidOperationException("the session is already authenticated");
        }

        RequireProtectedChannel("send credentials");
        if (!_capabilities.Contains($"AUTH={mechanism}"))
        {
            throw new MailException($"the IMAP server does not offer AUTH={mechanism} on this connection");
        }

        var generation = _capabilityGeneration;
        var tag = NextTag();
        var sent = _capabilities.Contains("SASL-IR");
        var command = sent ? $"{tag} AUTHENTICATE {mechanism} {initialResponse}\r\n" : $"{tag} AUTHENTICATE {mechanism}\r\n";
        await WriteAsync(Encoding.ASCII.GetBytes(command), "sending AUTHENTICATE", ct);

        var detail = string.Empty;
        var answeredError = false;
        var cancelled = false;
        while (true)
        {
            var response = await ReadResponseAsync("waiting for the reply to AUTHENTICATE", ct);
            switch (response.Kind)
            {
                case ImapResponseKind.Tagged:
                    var completed = CompleteTagged(response, tag, "AUTHENTICATE", throwOnFailure: false);
                    if (completed.Status != "OK")
                    {
                        throw new ImapCommandException(
                            "AUTHENTICATE", completed.Status!, $"{completed.Text}{detail}", completed.Code?.Name);
                    }

                    _authenticated = true;
                    if (_capabilityGeneration == generation)
                    {
                        await RefreshCapabilitiesAsync(ct);
                    }

                    return;
                case ImapResponseKind.Continuation when !sent:
                    sent = true;
                    await WriteAsync(Encoding.ASCII.GetBytes($"{initialResponse}\r\n"), "sending AUTHENTICATE", ct);
                    break;
                case ImapResponseKind.Continuation when expectsErrorChallenge && !answeredError:
                    // XOAUTH2's error document; the exchange must be ended with an empty response (not "*").
                    answeredError = true;
                    detail = SaslOAuth2.DescribeErrorChallenge(response.Text);
                    await WriteAsync("\r\n"u8.ToArray(), "sending AUTHENTICATE", ct);
                    break;
                case ImapResponseKind.Continuation when cancelled:
                    throw ProtocolViolation("the server kept challenging after AUTHENTICATE was cancelled");
                case ImapResponseKind.Continuation:
                    // A challenge the mechanism does not have: cancel (RFC 3501 6.2.2); the server answers BAD.
                    cancelled = true;
                    await WriteAsync("*\r\n"u8.ToArray(), "cancelling AUTHENTICATE", ct);
                    break;
                default:
                    Dispatch(response, null);
                    break;
            }
        }
    }
}
