using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MiSS.Core.Transport;

namespace MiSS.Core.Configuration;

/// <summary>Opens IMAP and SMTP sessions on the configured mailbox (the watcher, the Sent folder, the expiry and the outbox each use their own).</summary>
public static class MailboxConnection
{
    /// <summary>Connects to the IMAP server (TLS as configured) and logs in; the caller owns the session.</summary>
    public static Task<ImapClient> OpenImapAsync(this MissOptions options, ILogger logger, CancellationToken ct) =>
        OpenAsync(new ImapClient(), "IMAP", options.Imap, options, logger, ct);

    /// <summary>Connects to the submission server (TLS as configured) and logs in; the caller owns the session.</summary>
    public static Task<SubmissionClient> OpenSmtpAsync(this MissOptions options, ILogger logger, CancellationToken ct) =>
        OpenAsync(new SubmissionClient(), "SMTP", options.Smtp, options, logger, ct);

    static async Task<T> OpenAsync<T>(T client, string protocol, MailServerOptions server, MissOptions options, ILogger logger, CancellationToken ct)
        where T : MailService
    {
        try
        {
            if (server.DangerouslyAcceptAnyServerCertificate)
            {
                logger.LogWarning("{Protocol} server certificate NOT verified (DangerouslyAcceptAnyServerCertificate): development only", protocol);
            }
            var tls = TlsPolicy.For(server, options.Mailbox.LoadClientCertificate());
            tls.ApplyTo(client);
            try
            {
                await client.ConnectAsync(server.Host, server.Port, server.EffectiveSecurity.ToSocketOptions(), ct);
            }
            catch (SslHandshakeException e)
            {
                throw tls.Explain(e);
            }
            catch (NotSupportedException) when (server.EffectiveSecurity == MailSecurity.StartTls)
            {
                // MailKit refuses to go on without the STARTTLS the configuration asks for: no downgrade, say why.
                throw new InsecureTransportException($"le serveur {protocol} {server.Host} ne propose pas STARTTLS : connexion refusée (aucune donnée envoyée en clair)");
            }
            await options.Mailbox.AuthenticateAsync(client, ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
