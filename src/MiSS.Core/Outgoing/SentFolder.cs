using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Mail;
using MiSS.Mail.Imap;

namespace MiSS.Core.Outgoing;

/// <summary>
/// Keeps the sender's copy of what was sent in the mailbox's Sent folder (IMAP APPEND, marked \Seen), so that another
/// MiSS instance or a mail client on the same mailbox sees the whole conversation. The copy is the sealed message,
/// encrypted for the sender too. One IMAP session serves a whole outbox pass.
/// </summary>
public sealed class SentFolder(MissOptions options, ILogger<SentFolder> logger) : IAsyncDisposable
{
    ImapClient? _imap;
    string? _folder;

    /// <summary>Appends a sent message; failures are logged, not thrown: the message itself is sent already.</summary>
    public async Task AppendAsync(string messageId, byte[] message, CancellationToken ct)
    {
        try
        {
            var imap = await ConnectAsync(ct);
            await imap.AppendAsync(_folder!, message, [@"\Seen"], null, ct);
        }
        catch (MailException e)
        {
            logger.LogWarning("Copy of {MessageId} not kept in the Sent folder: {Error}", messageId, e.Message);
            await DisposeAsync();
        }
    }

    async Task<ImapClient> ConnectAsync(CancellationToken ct)
    {
        if (_imap is { IsConnected: true })
        {
            return _imap;
        }
        var imap = await options.OpenImapAsync(logger, ct);
        try
        {
            _folder = await FindAsync(imap, ct);
            if (_folder is null)
            {
                _folder = "Sent";
                await imap.CreateMailboxAsync(_folder, ct);
            }
            _imap = imap;
            return imap;
        }
        catch
        {
            await imap.DisposeAsync();
            throw;
        }
    }

    /// <summary>The mailbox's Sent folder: the one marked \Sent (RFC 6154), else the one named so; null when there is none.</summary>
    public static async Task<string?> FindAsync(ImapClient imap, CancellationToken ct)
    {
        var folders = await imap.ListMailboxesAsync(ct);
        return folders.FirstOrDefault(f => f.SpecialUse == @"\Sent")?.Name
               ?? folders.FirstOrDefault(f => f.Name.Equals("Sent", StringComparison.OrdinalIgnoreCase))?.Name;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_imap is not null)
        {
            await _imap.DisposeAsync();
            _imap = null;
        }
    }
}
