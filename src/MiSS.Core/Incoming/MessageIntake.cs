using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MiSS.Core.Expiry;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MimeKit;
using MiSS.Core.Messaging.Reports;

namespace MiSS.Core.Incoming;

/// <summary>What became of a fetched message.</summary>
public enum IntakeOutcome
{
    /// <summary>Stored in its conversation.</summary>
    Stored,
    /// <summary>A delivery report or read receipt, applied to the states of a sent message.</summary>
    Report,
    /// <summary>Already stored (same Message-ID): nothing done.</summary>
    Duplicate,
    /// <summary>Kept apart with its reason.</summary>
    Quarantined,
}

/// <summary>
/// Takes one raw message from the mailbox: dedupe by Message-ID, apply it if it is a report, else open it (decrypt,
/// verify), find its conversation, and store it with its security state and expiry; or quarantine it with a specific
/// reason. Never throws for bad input: whatever arrives is stored, applied, or kept in quarantine. A copy of a message
/// that already expired here (re-delivered, or the mailbox read again) is not taken back: its server copy is erased again.
/// </summary>
public sealed class MessageIntake(
    MessageStore store,
    SmimeOpener opener,
    ConversationRouter router,
    ReportHandler reports,
    ConversationStore conversations,
    Attachments.AttachmentPolicy attachments,
    ExpiryStore expiries,
    ExpirySignal expiry,
    Events.MissEvents events,
    Audit.AuditTrail audit,
    TimeProvider time,
    ILogger<MessageIntake> logger,
    PractitionerDirectory.DirectoryStore? directory = null)
{
    /// <summary>Statuses that are attacks or breakage, not a weaker security level: such a message never enters a conversation.</summary>
    static readonly HashSet<OpenStatus> NeverShown = [OpenStatus.SignatureInvalid, OpenStatus.SignerAddressMismatch, OpenStatus.DecryptionFailed, OpenStatus.Malformed,
        OpenStatus.SignerRevoked];

    /// <summary>Handles one message fetched from <paramref name="mailbox"/> at <paramref name="uid"/>.</summary>
    public async Task<IntakeOutcome> AcceptAsync(string mailbox, uint uid, byte[] raw, CancellationToken ct = default) =>
        await AcceptAsync(mailbox, await PrepareAsync(uid, raw, ct), ct);

    /// <summary>
    /// The work of taking a message that needs no write: read it, find out whether it is already stored, then read its
    /// report or open it (decrypt, verify, chain). Never throws for bad input, writes nothing: several messages can be
    /// prepared at once, on every core, and then accepted one by one in mailbox order.
    /// </summary>
    public async Task<PreparedMessage> PrepareAsync(uint uid, byte[] raw, CancellationToken ct = default)
    {
        MimeMessage message;
        try
        {
            message = MimeLoader.LoadMessage(raw);
        }
        catch (UnreadableMimeException e)
        {
            return new PreparedMessage(uid, raw, null) { Unreadable = e.Message };
        }
        // A message without Message-ID still gets a stable identity, so that it is never taken twice.
        var messageId = message.MessageId ?? $"sha256-{Convert.ToHexString(SHA256.HashData(raw)).ToLowerInvariant()}@miss.invalid";
        if (await store.GetAsync(messageId, ct) is { } known)
        {
            return new PreparedMessage(uid, raw, messageId) { Known = known };
        }
        try
        {
            // Reports from mail servers, and receipts from ordinary mail clients, come unencrypted.
            return MailReports.TryRead(message) is { } plainReport
                ? new PreparedMessage(uid, raw, messageId) { Message = message, PlainReport = plainReport }
                : new PreparedMessage(uid, raw, messageId) { Message = message, Opened = opener.Open(message) };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PreparedMessage(uid, raw, messageId) { Failure = e };
        }
    }

    /// <summary>Stores, applies or quarantines a prepared message; one at a time, in mailbox order.</summary>
    public async Task<IntakeOutcome> AcceptAsync(string mailbox, PreparedMessage prepared, CancellationToken ct = default)
    {
        var (uid, raw, messageId) = (prepared.Uid, prepared.Raw, prepared.MessageId);
        if (prepared.Unreadable is { } unreadable)
        {
            return await QuarantineAsync(mailbox, uid, null, OpenStatus.Malformed.ToString(), "message illisible : " + unreadable, raw, ct);
        }
        if (prepared.Known is { } known)
        {
            logger.LogDebug("Message {MessageId} (UID {Uid}) already stored", messageId, uid);
            if (known.IsExpired)
            {
                await expiries.RetryServerErasureAsync(known.Id, time.GetUtcNow(), ct);
                expiry.Notify();
            }
            return IntakeOutcome.Duplicate;
        }
        if (prepared.Failure is { } failure)
        {
            return await UnprocessableAsync(mailbox, prepared, failure, ct);
        }
        try
        {
            if (prepared is { PlainReport: { } plainReport, Message: { } reported })
            {
                return await ApplyReportAsync(mailbox, uid, messageId!, plainReport, reported.From.Mailboxes.FirstOrDefault()?.Address ?? "", [], raw, ct);
            }
            return await StoreOpenedAsync(mailbox, uid, messageId!, prepared.Message!, prepared.Opened!, raw, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await UnprocessableAsync(mailbox, prepared, e, ct);
        }
    }

    /// <summary>Whatever a hostile message triggers, it is kept, not lost, and the watcher goes on.</summary>
    Task<IntakeOutcome> UnprocessableAsync(string mailbox, PreparedMessage prepared, Exception e, CancellationToken ct) =>
        QuarantineAsync(mailbox, prepared.Uid, prepared.MessageId, OpenStatus.Malformed.ToString(), $"traitement impossible ({e.GetType().Name})", prepared.Raw, ct);

    /// <summary>Quarantines a message from its size alone: it is not downloaded, and stays on the server.</summary>
    public Task<IntakeOutcome> QuarantineOversizedAsync(string mailbox, uint uid, long size, long limit, CancellationToken ct = default) =>
        QuarantineAsync(mailbox, uid, null, "Oversized",
            $"message de {size / 1_048_576.0:0.#} Mo, au-delà de la limite de {limit / 1_048_576.0:0.#} Mo : non téléchargé", [], ct);

    async Task<IntakeOutcome> StoreOpenedAsync(string mailbox, uint uid, string messageId, MimeMessage message, OpenedMessage opened, byte[] raw,
        CancellationToken ct)
    {
        if (NeverShown.Contains(opened.Status))
        {
            return await QuarantineAsync(mailbox, uid, messageId, opened.Status.ToString(), opened.Detail, raw, ct);
        }
        var (received, protocol) = ReceivedMessageReader.Read(message, opened);
        received = received with { MessageId = messageId };

        var innerReport = opened.Content is null ? null : MailReports.TryRead(opened.Content);
        if (protocol.Kind == MessageKind.Receipt || innerReport is not null)
        {
            if (!opened.IsVerified || innerReport is not { } report)
            {
                return await QuarantineAsync(mailbox, uid, messageId, opened.Status.ToString(), "accusé de lecture non vérifié : " + opened.Detail, raw, ct);
            }
            return await ApplyReportAsync(mailbox, uid, messageId, report, received.Sender, protocol.ReadMessageIds, raw, ct);
        }

        // The verified signer against the directory's entry for the sender address: shown, never a reason to refuse.
        PractitionerDirectory.DirectoryPerson? listed = null;
        if (opened is { IsVerified: true, Signer: { } signer } && directory is not null && received.Signature is { } signature)
        {
            listed = await directory.FindAsync(received.Sender, ct);
            received = received with { Signature = signature with { Directory = PractitionerDirectory.SignerDirectoryCheck.Compare(signer, listed) } };
        }
        var route = await router.RouteAsync(received, protocol, opened.IsVerified, ct);
        if (route.Conversation is not { } conversation)
        {
            var reason = opened.IsVerified ? "NotInConversation" : opened.Status.ToString();
            return await QuarantineAsync(mailbox, uid, messageId, reason, $"{route.Rejection} ({opened.Detail})", raw, ct);
        }
        // Same checks as on the way out; a refused attachment is kept as its description and reason only.
        var checkedAttachments = received.Attachments?.Select(attachments.CheckIncoming).ToList();
        var now = time.GetUtcNow();
        // The security state and the signer's RPPS (a practitioner identifier), never the text or the subject; recorded
        // with the message itself, so that neither exists without the other.
        var audited = new Audit.AuditEvent(Audit.AuditKinds.MessageReceived, messageId, conversation.Id, received.Sender,
            opened.Signer?.Rpps is { } rpps ? $"{opened.Status}, RPPS {rpps}" : opened.Status.ToString());
        if (!await store.SaveReceivedAsync(received with
            {
                Conversation = conversation.Id,
                Attachments = checkedAttachments,
                ExpiresAt = ExpiryOf(protocol, conversation, now),
            }, audited, ct))
        {
            return IntakeOutcome.Duplicate;
        }
        if (protocol.Kind == MessageKind.End && opened.IsVerified && !conversation.IsEnded)
        {
            // A member ended the conversation: everything but this notice goes, here as on their side.
            var notice = await store.GetAsync(messageId, ct);
            await expiries.ExpireConversationNowAsync(conversation.Id, notice?.Id, ct);
            await conversations.EndAsync(conversation.Id, now, ct);
            await audit.AppendAsync(Audit.AuditKinds.ConversationEnded, messageId, conversation.Id, received.Sender, "terminée par un membre", ct);
        }
        expiry.Notify();
        events.Publish(new Events.MissEvent(Events.MissEventKind.Message, conversation.Id, messageId));
        if (protocol.Kind is MessageKind.Membership or MessageKind.Retention or MessageKind.End || protocol.Members is not null)
        {
            events.Publish(new Events.MissEvent(Events.MissEventKind.Conversation, conversation.Id));
        }
        await conversations.TouchAsync(conversation.Id, received.SentAt ?? DateTimeOffset.UtcNow, ct);
        if (opened is { IsVerified: true, SignerCertificate: { } certificate })
        {
            await store.SaveCertificateAsync(received.Sender, certificate, "signature", ct);
        }
        if (received.Signature?.Directory is { Status: DirectoryCheckStatus.Mismatch })
        {
            // The RPPS on each side, never names from the message or its content.
            await audit.AppendAsync(Audit.AuditKinds.SignerDirectoryMismatch, messageId, conversation.Id, received.Sender,
                $"RPPS du certificat {opened.Signer?.Rpps ?? "aucun"}, de l'annuaire {listed?.Rpps ?? "aucun"}", ct);
        }
        logger.LogInformation("Message {MessageId} (UID {Uid}) stored in conversation {Conversation}: {Status}",
            messageId, uid, conversation.Id, opened.Status);
        return IntakeOutcome.Stored;
    }

    /// <summary>
    /// The expiry the sender fixed (X-MiSS-Expires), never later than the conversation's retention from now (a wrong
    /// clock or a forged header cannot keep a message longer); now for a message arriving in an ended conversation.
    /// </summary>
    static DateTimeOffset ExpiryOf(ProtocolHeaders protocol, Conversations.Conversation conversation, DateTimeOffset now)
    {
        if (conversation.IsEnded)
        {
            return now;
        }
        var latest = now + conversation.Retention.Duration;
        return protocol.ExpiresAt is { } fixedBySender && fixedBySender < latest ? fixedBySender : latest;
    }

    async Task<IntakeOutcome> ApplyReportAsync(string mailbox, uint uid, string messageId, MailReport report, string reporter,
        IReadOnlyList<string> readIds, byte[] raw, CancellationToken ct)
    {
        if (!await reports.ApplyAsync(report, reporter, readIds, ct))
        {
            // Kept, not silently dropped: a bounce for a message we do not know deserves a look.
            return await QuarantineAsync(mailbox, uid, messageId, "UnmatchedReport", "rapport ou accusé sans message envoyé correspondant", raw, ct);
        }
        return IntakeOutcome.Report;
    }

    async Task<IntakeOutcome> QuarantineAsync(string mailbox, uint uid, string? messageId, string reason, string detail, byte[] raw,
        CancellationToken ct)
    {
        // The machine reason only: the French detail can quote what the sender wrote in headers.
        await store.QuarantineAsync(mailbox, uid, messageId, reason, detail, raw,
            new Audit.AuditEvent(Audit.AuditKinds.MessageQuarantined, messageId, null, null, $"{reason}, {mailbox} UID {uid}"), ct);
        logger.LogWarning("Message {MessageId} (UID {Uid}) quarantined: {Reason}", messageId, uid, reason);
        return IntakeOutcome.Quarantined;
    }
}

/// <summary>
/// A fetched message after <see cref="MessageIntake.PrepareAsync"/>: exactly one of unreadable, already stored, failed,
/// a plain report, or opened.
/// </summary>
/// <param name="Uid">Its UID in the mailbox.</param>
/// <param name="Raw">Its bytes (the parsed message reads from them).</param>
/// <param name="MessageId">Its Message-ID (or the one derived from its bytes); null when unreadable.</param>
public sealed record PreparedMessage(uint Uid, byte[] Raw, string? MessageId)
{
    /// <summary>Why the bytes are not MIME at all (French).</summary>
    public string? Unreadable { get; init; }

    /// <summary>The message already stored under the same Message-ID.</summary>
    public StoredMessage? Known { get; init; }

    /// <summary>What a hostile message triggered while being prepared.</summary>
    public Exception? Failure { get; init; }

    /// <summary>The parsed message.</summary>
    public MimeMessage? Message { get; init; }

    /// <summary>The unencrypted delivery report or read receipt it is.</summary>
    public MailReport? PlainReport { get; init; }

    /// <summary>The message opened: decrypted and its signature checked.</summary>
    public OpenedMessage? Opened { get; init; }
}
