using MailKit;
using MailKit.Security;
using MiSS.Core.Transport;

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

/// <summary>Authenticates IMAP and SMTP sessions as <see cref="MailboxOptions.Authentication"/> says, never without TLS.</summary>
public static class MailboxCredentials
{
    /// <summary>The token provider of these options: the one set by the host, else the environment variable.</summary>
    public static IAccessTokenProvider TokenProvider(this MailboxOptions mailbox) =>
        mailbox.AccessTokenProvider ?? new EnvironmentAccessTokenProvider(mailbox.AccessTokenVariable);

    /// <summary>
    /// Logs an IMAP or SMTP session in: a password (MailKit picks PLAIN or LOGIN as offered), or a bearer token (OAUTHBEARER
    /// when the server offers it, else XOAUTH2). Throws <see cref="InsecureTransportException"/>, with nothing sent, when
    /// the connection is not protected by TLS: MailKit itself would send them in the clear (Dovecot accepts that on loopback).
    /// </summary>
    public static async Task AuthenticateAsync(this MailboxOptions mailbox, MailService client, CancellationToken ct)
    {
        if (!client.IsSecure)
        {
            throw new InsecureTransportException("identifiants non envoyés : la connexion au serveur n'est pas protégée par TLS");
        }
        if (mailbox.Authentication == MailboxAuthentication.XOAuth2)
        {
            var token = await mailbox.TokenProvider().GetAccessTokenAsync(ct);
            SaslMechanism mechanism = client.AuthenticationMechanisms.Contains("OAUTHBEARER")
                ? new SaslMechanismOAuthBearer(mailbox.Login, token)
                : new SaslMechanismOAuth2(mailbox.Login, token);
            await client.AuthenticateAsync(mechanism, ct);
        }
        else
        {
            await client.AuthenticateAsync(mailbox.Login, mailbox.Password, ct);
        }
    }
}
