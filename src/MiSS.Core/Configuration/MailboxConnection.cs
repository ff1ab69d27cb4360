using System.Net.Sockets;
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
                await client.ConnectAsync(await KeptAliveSocketAsync(server, ct), server.Host, server.Port, server.EffectiveSecurity.ToSocketOptions(), ct);
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

    /// <summary>
    /// A TCP connection with keepalive probes (after 30 s of silence, every 5 s, 3 unanswered end it): a server that
    /// vanishes without closing (network cut, suspended host) fails the IDLE within about 45 s instead of at its renewal.
    /// MailKit takes the socket over.
    /// </summary>
    static async Task<Socket> KeptAliveSocketAsync(MailServerOptions server, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            await socket.ConnectAsync(server.Host, server.Port, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
