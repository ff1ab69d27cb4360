using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Outgoing;
using MiSS.Core.Storage;

namespace MiSS.Core.Expiry;

/// <summary>
/// Erases the copies of expired messages on the mail server: in INBOX (what was received) and in the Sent folder (what
/// was sent), found by their Message-ID, flagged \Deleted and expunged by UID, so nothing else in the mailbox is touched.
/// </summary>
public sealed class ServerCopyEraser(MissOptions options, ILogger<ServerCopyEraser> logger)
{
    /// <summary>Erases the copies of <paramref name="messages"/>; throws a transport failure when the server cannot be used.</summary>
    public async Task<int> EraseAsync(IReadOnlyList<ServerErasure> messages, CancellationToken ct)
    {
        using var imap = await options.OpenImapAsync(logger, ct);
        var uidPlus = imap.Capabilities.HasFlag(ImapCapabilities.UidPlus);
        var erased = await EraseInAsync(imap.Inbox, uidPlus, messages, ct);
        if (await SentFolder.FindAsync(imap, ct) is { } sent)
        {
            erased += await EraseInAsync(sent, uidPlus, messages, ct);
        }
        await imap.DisconnectAsync(quit: true, ct);
        return erased;
    }

    static async Task<int> EraseInAsync(IMailFolder folder, bool uidPlus, IReadOnlyList<ServerErasure> messages, CancellationToken ct)
    {
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        var uids = new UniqueIdSet(SortOrder.Ascending);
        foreach (var message in messages)
        {
            // With its angle brackets, the id matches only itself (HEADER is a substring search).
            uids.AddRange(await folder.SearchAsync(SearchQuery.HeaderContains("Message-ID", $"<{message.MessageId}>"), ct));
        }
        if (uids.Count > 0)
        {
            await folder.StoreAsync(uids, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, ct);
            // UID EXPUNGE removes only these. Without UIDPLUS a plain EXPUNGE is the only way to erase them, even though it
            // also removes what another client flagged \Deleted: an expired copy must not stay on the server.
            await (uidPlus ? folder.ExpungeAsync(uids, ct) : folder.ExpungeAsync(ct));
        }
        await folder.CloseAsync(expunge: false, ct);
        return uids.Count;
    }
}
