using MiSS.Mail.Imap;
using MiSS.Mail.Smtp;

namespace MiSS.Core.Configuration;

/// <summary>How the mailbox proves who it is to the operator's IMAP and SMTP servers.</summary>
public enum MailboxAuthentication
{
    /// <summary>A password (IMAP LOGIN, SMTP AUTH PLAIN or LOGIN), given through the environment.</summary>
    Password,

    /// <summary>
    /// SASL XOAUTH2 with a bearer token (MSSanté, Ségur wave 2: a Pro Santé Connect access token). The token comes
    /// from an <see cref="IAccessTokenProvider"/> at each connection and is never kept in settings, files or logs.
    /// </summary>
    XOAuth2,
}

/// <summary>
/// Gives the access token for XOAUTH2 at each connection: Pro Santé Connect tokens are short-lived and must not be
/// stored, so they are asked for when needed. The host (or an integrator's PSC client) supplies one; the default
/// reads an environment variable.
/// </summary>
public interface IAccessTokenProvider
{
    /// <summary>The current access token; throws <see cref="InvalidOperationException"/> with a French reason when there is none.</summary>
    ValueTask<string> GetAccessTokenAsync(CancellationToken ct);
}

/// <summary>The access token read from an environment variable at each connection (set by a PSC client or a wrapper script).</summary>
public sealed class EnvironmentAccessTokenProvider(string variable) : IAccessTokenProvider
{
    /// <inheritdoc />
    public ValueTask<string> GetAccessTokenAsync(CancellationToken ct)
    {
        var token = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(token)
            ? throw new InvalidOperationException(
                $"aucun jeton Pro Santé Connect : la variable d'environnement {variable} est vide (authentification XOAUTH2)")
            : ValueTask.FromResult(token.Trim());
    }
}

/// <summary>Authenticates IMAP and SMTP sessions as <see cref="MailboxOptions.Authentication"/> says.</summary>
public static class MailboxCredentials
{
    /// <summary>The token provider of these options: the one set by the host, else the environment variable.</summary>
    public static IAccessTokenProvider TokenProvider(this MailboxOptions mailbox) =>
        mailbox.AccessTokenProvider ?? new EnvironmentAccessTokenProvider(mailbox.AccessTokenVariable);

    /// <summary>Logs an SMTP session in (the client refuses to send credentials without TLS).</summary>
    public static async Task AuthenticateAsync(this MailboxOptions mailbox, SmtpClient smtp, CancellationToken ct)
    {
        if (mailbox.Authentication == MailboxAuthentication.XOAuth2)
        {
            await smtp.AuthenticateOAuth2Async(mailbox.Login, await mailbox.TokenProvider().GetAccessTokenAsync(ct), ct);
        }
        else
        {
            await smtp.AuthenticateAsync(mailbox.Login, mailbox.Password, ct);
        }
    }

    /// <summary>Logs an IMAP session in (the client refuses to send credentials without TLS).</summary>
    public static async Task AuthenticateAsync(this MailboxOptions mailbox, ImapClient imap, CancellationToken ct)
    {
        if (mailbox.Authentication == MailboxAuthentication.XOAuth2)
        {
            await imap.AuthenticateOAuth2Async(mailbox.Login, await mailbox.TokenProvider().GetAccessTokenAsync(ct), ct);
        }
        else
        {
            await imap.LoginAsync(mailbox.Login, mailbox.Password, ct);
        }
    }
}
