using MiSS.Core.Configuration;
using MiSS.Core.Storage;
using MailKit;
using MailKit.Net.Imap;
using MiSS.Core.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiSS.Core.Incoming;

/// <summary>
/// Watches the INBOX: catches up from the last UID handled, then waits in IDLE (re-issued before the server's
/// timeout) and catches up again at every change. Reconnects with backoff after any connection failure; a change of
/// UIDVALIDITY restarts from the beginning, and Message-ID deduplication keeps that from storing anything twice.
/// Applied delivery reports and read receipts are removed from the mailbox. A server without IDLE is polled.
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

    /// <summary>How often a server without IDLE is asked for news.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(15);

    static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(2);

    /// <summary>Most messages fetched in one command and opened together.</summary>
    const int BatchCount = 32;

    /// <summary>Most bytes fetched in one command (a single larger message still goes alone).</summary>
    const long BatchBytes = 32L << 20;

    /// <summary>Ends the current IDLE (DONE) when the server reports a change; null outside IDLE. Guarded by <see cref="_gate"/>.</summary>
    CancellationTokenSource? _done;

    readonly Lock _gate = new();

    /// <summary>A change was reported (during IDLE or any other command) and not caught up with yet.</summary>
    int _changed;

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
            catch (Exception e) when (TransportFailure.Is(e))
            {
                failures++;
                var reason = TransportFailure.Describe(e);
                status.Disconnected(reason);
                var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 10)) / 2));
                logger.LogWarning("Inbox connection lost ({Error}); reconnecting in {Delay}", reason, delay);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }

    async Task WatchAsync(Action connected, CancellationToken ct)
    {
        using var imap = await options.OpenImapAsync(logger, ct);
        var inbox = imap.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite, ct);
        connected();
        logger.LogInformation("Watching {Mailbox} (UIDVALIDITY {UidValidity}, {Exists} messages)", Mailbox, inbox.UidValidity, inbox.Count);

        // The handler only ends the wait: fetching from inside it would re-enter the client (MailKit raises it mid-command).
        inbox.CountChanged += OnCountChanged;
        try
        {
            var lastUid = await StartingUidAsync(inbox.UidValidity, ct);
            while (!ct.IsCancellationRequested)
            {
                Interlocked.Exchange(ref _changed, 0);
                lastUid = await CatchUpAsync((ImapFolder)inbox, imap.Capabilities.HasFlag(ImapCapabilities.UidPlus), lastUid, ct);
                if (Interlocked.Exchange(ref _changed, 0) == 0)
                {
                    await WaitForChangeAsync(imap, ct);
                }
            }
        }
        finally
        {
            inbox.CountChanged -= OnCountChanged;
        }
    }

    void OnCountChanged(object? sender, EventArgs e)
    {
        Interlocked.Exchange(ref _changed, 1);
        lock (_gate)
        {
            // Under the lock: the IDLE's token is never cancelled after it was disposed.
            _done?.Cancel();
        }
    }

    /// <summary>
    /// Waits in IDLE until the server reports a change or <see cref="IdleRenewal"/> has passed (then the caller catches
    /// up and idles again, before the server's own timeout); without IDLE, waits <see cref="PollInterval"/> and sends NOOP.
    /// </summary>
    async Task WaitForChangeAsync(ImapClient imap, CancellationToken ct)
    {
        if (!imap.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(PollInterval, time, ct);
            await imap.NoOpAsync(ct);
            return;
        }
        using var done = new CancellationTokenSource(IdleRenewal, time);
        lock (_gate)
        {
            _done = done;
        }
        status.Idle(true);
        try
        {
            // A change reported between the catch-up and here must not wait for the renewal.
            if (Volatile.Read(ref _changed) == 0)
            {
                await imap.IdleAsync(done.Token, ct);
            }
        }
        finally
        {
            lock (_gate)
            {
                _done = null;
            }
            status.Idle(false);
        }
    }

    async Task<uint> StartingUidAsync(uint uidValidity, CancellationToken ct)
    {
        var position = await store.GetMailboxPositionAsync(Mailbox, ct);
        if (position is { } known && known.UidValidity != uidValidity)
        {
            logger.LogWarning("UIDVALIDITY of {Mailbox} changed from {Old} to {New}: reading it again from the start",
                Mailbox, known.UidValidity, uidValidity);
            return 0;
        }
        return position?.LastUid ?? 0;
    }

    async Task<uint> CatchUpAsync(ImapFolder inbox, bool uidPlus, uint lastUid, CancellationToken ct)
    {
        // "UID n:*" always matches the highest UID, even when it is below n: filter. Sizes first: a message beyond the
        // limit is never downloaded into memory.
        var range = new UniqueIdRange(new UniqueId(lastUid + 1), UniqueId.MaxValue);
        var summaries = (await inbox.FetchAsync(range, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, ct))
            .Where(s => s.UniqueId.Id > lastUid).OrderBy(s => s.UniqueId.Id).ToList();
        var consumed = new List<UniqueId>();
        foreach (var batch in Batches(summaries))
        {
            var prepared = await DownloadAndPrepareAsync(inbox, batch.Where(s => Size(s) <= MaxMessageBytes).Select(s => s.UniqueId).ToList(), ct);
            foreach (var summary in batch)
            {
                var uid = summary.UniqueId.Id;
                if (Size(summary) > MaxMessageBytes)
                {
                    await intake.QuarantineOversizedAsync(Mailbox, uid, Size(summary), MaxMessageBytes, ct);
                }
                else if (prepared.TryGetValue(uid, out var preparing) && await intake.AcceptAsync(Mailbox, await preparing, ct) == IntakeOutcome.Report)
                {
                    consumed.Add(summary.UniqueId);
                }
                // The position moves only after the message is stored or quarantined: a crash re-reads it, dedupe drops it.
                lastUid = uid;
                await store.SaveMailboxPositionAsync(Mailbox, inbox.UidValidity, lastUid, ct);
            }
        }
        if (consumed.Count > 0)
        {
            // A delivery report or read receipt for a message sent from here has done its work once applied; left in the
            // mailbox it would outlive the message it names. Reports about anything else stay (they are quarantined).
            await inbox.StoreAsync(consumed, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, ct);
            if (uidPlus)
            {
                // Without UIDPLUS they stay flagged: a plain EXPUNGE would also remove what another client flagged.
                await inbox.ExpungeAsync(consumed, ct);
            }
        }
        return lastUid;
    }

    static long Size(IMessageSummary summary) => (long)(summary.Size ?? 0);

    /// <summary>The new messages in batches of at most <see cref="BatchCount"/> messages and <see cref="BatchBytes"/> (one message at least).</summary>
    static IEnumerable<List<IMessageSummary>> Batches(List<IMessageSummary> summaries)
    {
        var batch = new List<IMessageSummary>();
        long bytes = 0;
        foreach (var summary in summaries)
        {
            if (batch.Count > 0 && (batch.Count == BatchCount || bytes + Size(summary) > BatchBytes))
            {
                yield return batch;
                (batch, bytes) = ([], 0);
            }
            batch.Add(summary);
            bytes += Size(summary);
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>
    /// Downloads the messages in one UID FETCH (BODY.PEEK[]: reading them does not mark them \Seen) and prepares each on
    /// the thread pool as soon as its bytes are in, so that opening (decrypt, verify) runs on every core while the rest
    /// still arrives. Nothing is written: the caller accepts them in UID order.
    /// </summary>
    async Task<Dictionary<uint, Task<PreparedMessage>>> DownloadAndPrepareAsync(ImapFolder inbox, IList<UniqueId> uids, CancellationToken ct)
    {
        var prepared = new Dictionary<uint, Task<PreparedMessage>>();
        if (uids.Count == 0)
        {
            return prepared;
        }
        await inbox.GetStreamsAsync(uids, async (_, _, uid, stream, token) =>
        {
            using var raw = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
            await stream.CopyToAsync(raw, token);
            var bytes = raw.Length == raw.Capacity ? raw.GetBuffer() : raw.ToArray();
            prepared[uid.Id] = Task.Run(() => intake.PrepareAsync(uid.Id, bytes, ct), ct);
        }, ct);
        await Task.WhenAll(prepared.Values);
        return prepared;
    }
}
