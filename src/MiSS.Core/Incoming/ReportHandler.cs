using Microsoft.Extensions.Logging;
using MiSS.Core.Messaging;
using MiSS.Core.Storage;
using MiSS.Core.Messaging.Reports;

namespace MiSS.Core.Incoming;

/// <summary>
/// Applies delivery reports (RFC 3464, from mail servers) and read receipts (RFC 8098, from recipients) to the
/// per-recipient states of messages sent from here. A report only moves a state forward, and only for a message this
/// mailbox sent to that recipient; anything else is ignored.
/// </summary>
public sealed class ReportHandler(MessageStore messages, Events.MissEvents events, ILogger<ReportHandler> logger)
{
    /// <summary>Applies a report; returns false when it concerns no message sent from here (to be kept apart).</summary>
    /// <param name="report">The report.</param>
    /// <param name="reporter">Who sent the report (the reader, for a read receipt).</param>
    /// <param name="readIds">For a MiSS receipt, every Message-ID it covers (X-MiSS-Read).</param>
    public async Task<bool> ApplyAsync(MailReport report, string reporter, IReadOnlyList<string> readIds, CancellationToken ct = default) =>
        report switch
        {
            DeliveryStatusReport dsn => await ApplyDeliveryAsync(dsn, ct),
            DispositionNotification mdn => await ApplyReadAsync(mdn, reporter, readIds, ct),
            _ => false,
        };

    async Task<bool> ApplyDeliveryAsync(DeliveryStatusReport report, CancellationToken ct)
    {
        // The envelope id is the Message-ID (set as ENVID when sending); the returned headers are the fallback.
        var original = await FindSentAsync(report.OriginalEnvelopeId, ct) ?? await FindSentAsync(report.ReturnedMessageId, ct);
        if (original is null)
        {
            return false;
        }
        foreach (var recipient in report.Recipients)
        {
            var address = recipient.FinalRecipient ?? recipient.OriginalRecipient;
            var known = original.Recipients.FirstOrDefault(r => r.Equals(address?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                continue;
            }
            var (state, reason) = recipient.EffectiveAction switch
            {
                // "relayed": the recipient's server took it but does not report final delivery (an LMTP hand-off to the
                // mailbox, or a server without DSN): in the MSSanté space that is the last word we get, counted as delivered.
                DeliveryAction.Delivered or DeliveryAction.Relayed => (DeliveryState.Delivered, (string?)null),
                DeliveryAction.Failed => (DeliveryState.Failed, "non distribué : " +
                    (recipient.DiagnosticCode ?? recipient.Status ?? "motif non précisé par le serveur")),
                _ => (DeliveryState.Sent, null), // delayed, relayed, expanded: nothing to record
            };
            if (state != DeliveryState.Sent && await messages.SetRecipientStateAsync(original.Id, known, state, reason, ct))
            {
                logger.LogInformation("Message {MessageId}: {State} for one recipient (delivery report)", original.MessageId, state);
                events.Publish(new Events.MissEvent(Events.MissEventKind.State, original.Conversation, original.MessageId));
            }
        }
        return true;
    }

    async Task<bool> ApplyReadAsync(DispositionNotification report, string reader, IReadOnlyList<string> readIds, CancellationToken ct)
    {
        var matched = false;
        var ids = readIds.Count > 0 ? readIds : report.OriginalMessageId is { } one ? [one] : [];
        foreach (var id in ids.Distinct())
        {
            // Only the recipient itself can say it read a message.
            if (await FindSentAsync(id, ct) is not { } original ||
                original.Recipients.FirstOrDefault(r => r.Equals(reader, StringComparison.OrdinalIgnoreCase)) is not { } recipient)
            {
                continue;
            }
            matched = true;
            if (report.Disposition == DispositionType.Displayed &&
                await messages.SetRecipientStateAsync(original.Id, recipient, DeliveryState.Read, null, ct))
            {
                logger.LogInformation("Message {MessageId}: read by one recipient", original.MessageId);
                events.Publish(new Events.MissEvent(Events.MissEventKind.State, original.Conversation, original.MessageId));
            }
        }
        return matched;
    }

    async Task<StoredMessage?> FindSentAsync(string? messageId, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(messageId) ? null
        : await messages.GetAsync(messageId.Trim().Trim('<', '>'), ct) is { Direction: MessageDirection.Outgoing } sent ? sent : null;
}
