using MailKit;
using MailKit.Net.Imap;
using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Transport;

namespace MiSS.Core.Outgoing;

/// <summary>
/// Keeps the sender's copy of what was sent in the mailbox's Sent folder (IMAP APPEND, marked \Seen), so that another
/// MiSS instance or a mail client on the same mailbox sees the whole conversation. The copy is the sealed message,
/// encrypted for the sender too. One IMAP session serves a whole outbox pass.
/// </summary>
public sealed class SentFolder(MissOptions options, ILogger<SentFolder> logger) : IAsyncDisposable
{
    ImapClient? _imap;
    IMailFolder? _folder;

    /// <summary>Appends a sent message; failures are logged, not thrown: the message itself is sent already.</summary>
    public async Task AppendAsync(string messageId, MimeKit.MimeMessage message, CancellationToken ct)
    {
        try
        {
            var folder = await ConnectAsync(ct);
            await folder.AppendAsync(message, MessageFlags.Seen, ct);
        }
        catch (Exception e) when (TransportFailure.Is(e))
        {
            logger.LogWarning("Copy of {MessageId} not kept in the Sent folder: {Error}", messageId, TransportFailure.Describe(e));
            await DisposeAsync();
        }
    }

    async Task<IMailFolder> ConnectAsync(CancellationToken ct)
    {
        if (_imap is { IsConnected: true } && _folder is not null)
        {
            return _folder;
        }
        var imap = await options.OpenImapAsync(logger, ct);
        try
        {
            var folder = await FindAsync(imap, ct) ?? await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync("Sent", isMessageFolder: true, ct)
                ?? throw new InvalidOperationException("le dossier Sent n'a pas pu être créé");
            _folder = folder;
            _imap = imap;
            return folder;
        }
        catch
        {
            imap.Dispose();
            throw;
        }
    }

    /// <summary>The mailbox's Sent folder: the one marked \Sent (RFC 6154), else the one named so; null when there is none.</summary>
    public static async Task<IMailFolder?> FindAsync(ImapClient imap, CancellationToken ct)
    {
        if ((imap.Capabilities & (ImapCapabilities.SpecialUse | ImapCapabilities.XList)) != 0 && imap.GetFolder(SpecialFolder.Sent) is { } special)
        {
            return special;
        }
        var personal = imap.GetFolder(imap.PersonalNamespaces[0]);
        var folders = await personal.GetSubfoldersAsync(subscribedOnly: false, ct);
        return folders.FirstOrDefault(f => f.Name.Equals("Sent", StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_imap is not null)
        {
            if (_imap.IsConnected)
            {
                try
                {
                    await _imap.DisconnectAsync(quit: true, CancellationToken.None);
                }
                catch (Exception e) when (TransportFailure.Is(e))
                {
                    // Leaving anyway: the session was only for copies.
                }
            }
            _imap.Dispose();
            _imap = null;
            _folder = null;
        }
    }
}
