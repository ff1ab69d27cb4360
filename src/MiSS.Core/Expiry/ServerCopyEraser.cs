using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Outgoing;
using MiSS.Core.Storage;
using MiSS.Mail.Imap;

namespace MiSS.Core.Expiry;

/// <summary>
/// Erases the copies of expired messages on the mail server: in INBOX (what was received) and in the Sent folder (what
/// was sent), found by their Message-ID, flagged \Deleted and expunged by UID, so nothing else in the mailbox is touched.
/// </summary>
public sealed class ServerCopyEraser(MissOptions options, ILogger<ServerCopyEraser> logger)
{
    /// <summary>The folders a MiSS message can have a copy in.</summary>
    const string Inbox = "INBOX";

    /// <summary>Erases the copies of <paramref name="messages"/>; throws a mail error when the server cannot be used.</summary>
    public async Task<int> EraseAsync(IReadOnlyList<ServerErasure> messages, CancellationToken ct)
    {
        await using var imap = await options.OpenImapAsync(logger, ct);
        var erased = await EraseInAsync(imap, Inbox, messages, ct);
        if (await SentFolder.FindAsync(imap, ct) is { } sent)
        {
            erased += await EraseInAsync(imap, sent, messages, ct);
        }
        await imap.LogoutAsync(ct);
        return erased;
    }

    static async Task<int> EraseInAsync(ImapClient imap, string folder, IReadOnlyList<ServerErasure> messages, CancellationToken ct)
    {
        await imap.SelectAsync(folder, ct);
        var uids = new SortedSet<uint>();
        foreach (var message in messages)
        {
            // With its angle brackets, the id matches only itself (HEADER is a substring search).
            uids.UnionWith(await imap.UidSearchHeaderAsync("Message-ID", $"<{message.MessageId}>", ct));
        }
        if (uids.Count > 0)
        {
            var set = string.Join(',', uids);
            await imap.UidStoreFlagsAsync(set, ImapStoreMode.Add, [@"\Deleted"], ct);
            await imap.UidExpungeAsync(set, ct);
        }
        return uids.Count;
    }
}
