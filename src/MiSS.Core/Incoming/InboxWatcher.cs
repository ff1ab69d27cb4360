using MiSS.Core.Configuration;
using MiSS.Core.Storage;
using MiSS.Mail;
using MiSS.Mail.Imap;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiSS.Core.Incoming;

/// <summary>
/// Watches the INBOX: catches up from the last UID handled, then waits in IDLE (re-issued before the server's
/// timeout) and catches up again at every change. Reconnects with backoff after any connection failure; a change of
/// UIDVALIDITY restarts from the beginning, and Message-ID deduplication keeps that from storing anything twice.
/// Applied delivery reports and read receipts are removed from the mailbox.
/// </summary>
public sealed class InboxWatcher(
    MessageStore store,
    MessageIntake intake,
    MissOptions options,
    InboxStatus status,
    TimeProvider time,
    ILogger<InboxWatcher> logger) : BackgroundService
{
    const string Mailbox = "INBOX";

    /// <summary>IDLE is re-issued after this long: RFC 2177 servers may drop an idle client after 30 minutes, some after 10.</summary>
    public static readonly TimeSpan IdleRenewal = TimeSpan.FromMinutes(9);

    static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The largest message taken: twice what the transport profile lets a sender submit (other senders' encodings
    /// differ). Anything bigger is quarantined from its size alone.
    /// </summary>
    long MaxMessageBytes => options.Attachments.TransportProfile.MaxMessageBytes * 2;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WatchAsync(() =>
                {
                    failures = 0;
                    status.Connected();
                }, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MailException or IOException)
            {
                failures++;
                status.Disconnected(e.Message);
                var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 10)) / 2));
                logger.LogWarning("Inbox connection lost ({Error}); reconnecting in {Delay}", e.Message, delay);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }

    async Task WatchAsync(Action connected, CancellationToken ct)
    {
        await using var imap = await options.OpenImapAsync(logger, ct);
        var mailbox = await imap.SelectAsync(Mailbox, ct);
        connected();
        logger.LogInformation("Watching {Mailbox} (UIDVALIDITY {UidValidity}, {Exists} messages)", Mailbox, mailbox.UidValidity, mailbox.Exists);

        var lastUid = await StartingUidAsync(mailbox, ct);
        while (!ct.IsCancellationRequested)
        {
            lastUid = await CatchUpAsync(imap, mailbox.UidValidity, lastUid, ct);
            status.Idle(true);
            try
            {
                await imap.IdleAsync(IdleRenewal, ct);
            }
            finally
            {
                status.Idle(false);
            }
        }
    }

    async Task<uint> StartingUidAsync(ImapMailbox mailbox, CancellationToken ct)
    {
        var position = await store.GetMailboxPositionAsync(Mailbox, ct);
        if (position is { } known && known.UidValidity != mailbox.UidValidity)
        {
            logger.LogWarning("UIDVALIDITY of {Mailbox} changed from {Old} to {New}: reading it again from the start",
                Mailbox, known.UidValidity, mailbox.UidValidity);
            return 0;
        }
        return position?.LastUid ?? 0;
    }

    async Task<uint> CatchUpAsync(ImapClient imap, uint uidValidity, uint lastUid, CancellationToken ct)
    {
        // "UID n:*" always matches the highest UID, even when it is below n: filter. Sizes first: a message beyond the
        // limit is never downloaded into memory.
        var summaries = (await imap.UidFetchSummariesAsync($"{lastUid + 1}:*", ct)).Where(s => s.Uid > lastUid).OrderBy(s => s.Uid);
        var consumed = new List<uint>();
        foreach (var summary in summaries)
        {
            var uid = summary.Uid;
            if (summary.Size > MaxMessageBytes)
            {
                await intake.QuarantineOversizedAsync(Mailbox, uid, summary.Size, MaxMessageBytes, ct);
            }
            else if (await imap.UidFetchMessageAsync(uid, ct) is { } raw && await intake.AcceptAsync(Mailbox, uid, raw, ct) == IntakeOutcome.Report)
            {
                consumed.Add(uid);
            }
            // The position moves only after the message is stored or quarantined: a crash re-reads it, dedupe drops it.
            lastUid = uid;
            await store.SaveMailboxPositionAsync(Mailbox, uidValidity, lastUid, ct);
        }
        if (consumed.Count > 0)
        {
            // A delivery report or read receipt for a message sent from here has done its work once applied; left in the
            // mailbox it would outlive the message it names. Reports about anything else stay (they are quarantined).
            var set = string.Join(',', consumed);
            await imap.UidStoreFlagsAsync(set, ImapStoreMode.Add, [@"\Deleted"], ct);
            await imap.UidExpungeAsync(set, ct);
        }
        return lastUid;
    }
}
