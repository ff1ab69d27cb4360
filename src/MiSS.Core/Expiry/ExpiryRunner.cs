using Microsoft.Extensions.Logging;
using MiSS.Core.Configuration;
using MiSS.Core.Storage;

namespace MiSS.Core.Expiry;

/// <summary>
/// One expiry run: erase every message whose time has come (store, attachment files, then SQLite's log), the raw bytes
/// of old quarantined messages, then the server copies; server erasures that fail are retried later. Each step works
/// from the store, so a run after a crash or a long stop finishes whatever was left.
/// </summary>
public sealed class ExpiryRunner(
    ExpiryStore store,
    ServerCopyEraser server,
    ExpirySignal signal,
    Events.MissEvents events,
    Audit.AuditTrail audit,
    MissOptions options,
    TimeProvider time,
    ILogger<ExpiryRunner> logger)
{
    /// <summary>How long to wait before trying again to erase server copies when the server cannot be reached.</summary>
    public static readonly TimeSpan ServerRetry = TimeSpan.FromMinutes(1);

    const int ServerBatch = 100;

    /// <summary>Runs the erasures that are due.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var erased = await store.EraseDueAsync(ct);
            var quarantined = await store.EraseQuarantineAsync(options.Retention.Quarantine, ct);
            foreach (var message in erased)
            {
                events.Publish(new Events.MissEvent(Events.MissEventKind.Expired, message.Conversation, message.MessageId));
            }
            if (quarantined > 0)
            {
                await audit.AppendAsync(Audit.AuditKinds.QuarantineErased, null, null, null, $"{quarantined} message(s) en quarantaine effacé(s)", ct);
            }
            if (erased.Count + quarantined > 0)
            {
                if (!await store.CheckpointAsync(ct))
                {
                    logger.LogWarning("Store log not truncated after erasing (busy readers); the next run tries again");
                }
                logger.LogInformation("Expired {Messages} message(s) and {Quarantined} quarantined message(s)", erased.Count, quarantined);
            }
            await EraseServerCopiesAsync(ct);
        }
        finally
        {
            // The next trigger is set from the store, whatever happened here.
            signal.Notify();
        }
    }

    async Task EraseServerCopiesAsync(CancellationToken ct)
    {
        while (await store.ServerErasuresDueAsync(ServerBatch, ct) is { Count: > 0 } due)
        {
            try
            {
                var copies = await server.EraseAsync(due, ct);
                foreach (var message in due)
                {
                    await store.ServerErasedAsync(message.Id, ct);
                }
                logger.LogInformation("Erased {Copies} server copies of {Messages} expired message(s)", copies, due.Count);
            }
            catch (Exception e) when (Transport.TransportFailure.Is(e))
            {
                var retry = time.GetUtcNow() + ServerRetry;
                foreach (var message in due)
                {
                    await store.RetryServerErasureAsync(message.Id, retry, ct);
                }
                logger.LogWarning("Server copies of {Messages} expired message(s) not erased yet ({Error}); retrying at {Retry}",
                    due.Count, Transport.TransportFailure.Describe(e), retry);
                return;
            }
        }
    }
}
