using Microsoft.Extensions.Logging;
using MiSS.Mail.Imap;

namespace MiSS.Core.Configuration;

/// <summary>Opens IMAP sessions on the configured mailbox (the watcher, the Sent folder and the expiry each use their own).</summary>
public static class MailboxConnection
{
    /// <summary>Connects (TLS as configured) and logs in; the caller owns the session.</summary>
    public static async Task<ImapClient> OpenImapAsync(this MissOptions options, ILogger logger, CancellationToken ct)
    {
        var server = options.Imap;
        if (server.DangerouslyAcceptAnyServerCertificate)
        {
            logger.LogWarning("IMAP server certificate NOT verified (DangerouslyAcceptAnyServerCertificate): development only");
        }
        var imap = new ImapClient();
        try
        {
            await imap.ConnectAsync(server.Host, server.Port, server.EffectiveSecurity, server.ToTlsSettings(options.Mailbox.LoadClientCertificate()), ct);
            await options.Mailbox.AuthenticateAsync(imap, ct);
            return imap;
        }
        catch
        {
            await imap.DisposeAsync();
            throw;
        }
    }
}
