using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.Mail.Mime;

namespace MiSS.Core.Incoming;

/// <summary>What became of a fetched message.</summary>
public enum IntakeOutcome
{
    /// <summary>Opened, verified and stored.</summary>
    Stored,
    /// <summary>Already stored (same Message-ID): nothing done.</summary>
    Duplicate,
    /// <summary>Kept apart with its reason.</summary>
    Quarantined,
}

/// <summary>
/// Takes one raw message from the mailbox: dedupe by Message-ID, open (decrypt, verify), then store it, or quarantine it
/// with a specific reason. Never throws for bad input: whatever arrives is either stored or kept in quarantine.
/// </summary>
public sealed class MessageIntake(MessageStore store, SmimeOpener opener, ILogger<MessageIntake> logger)
{
    /// <summary>Handles one message fetched from <paramref name="mailbox"/> at <paramref name="uid"/>.</summary>
    public async Task<IntakeOutcome> AcceptAsync(string mailbox, uint uid, byte[] raw, CancellationToken ct = default)
    {
        MimeMessage message;
        try
        {
            message = MimeReader.ReadMessage(raw);
        }
        catch (MimeFormatException e)
        {
            return await QuarantineAsync(mailbox, uid, null, OpenStatus.Malformed, "message illisible : " + e.Message, raw, ct);
        }

        // A message without Message-ID still gets a stable identity, so that it is never taken twice.
        var messageId = message.MessageId ?? $"sha256-{Convert.ToHexString(SHA256.HashData(raw)).ToLowerInvariant()}@miss.invalid";
        if (await store.ContainsAsync(messageId, ct))
        {
            logger.LogDebug("Message {MessageId} (UID {Uid}) already stored", messageId, uid);
            return IntakeOutcome.Duplicate;
        }

        OpenedMessage opened;
        try
        {
            opened = opener.Open(message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever a hostile message triggers, it is kept, not lost, and the watcher goes on.
            return await QuarantineAsync(mailbox, uid, messageId, OpenStatus.Malformed, $"ouverture impossible ({e.GetType().Name})", raw, ct);
        }
        if (!opened.IsVerified)
        {
            return await QuarantineAsync(mailbox, uid, messageId, opened.Status, opened.Detail, raw, ct);
        }

        var received = ReceivedMessageReader.Read(message, opened) with { MessageId = messageId };
        if (!await store.SaveReceivedAsync(received, ct))
        {
            return IntakeOutcome.Duplicate;
        }
        if (opened.SignerCertificate is { } certificate)
        {
            await store.SaveCertificateAsync(received.Sender, certificate, "signature", ct);
        }
        logger.LogInformation("Message {MessageId} (UID {Uid}) received, signer verified (RPPS {Rpps})", messageId, uid, opened.Signer?.Rpps);
        return IntakeOutcome.Stored;
    }

    async Task<IntakeOutcome> QuarantineAsync(string mailbox, uint uid, string? messageId, OpenStatus reason, string detail, byte[] raw,
        CancellationToken ct)
    {
        await store.QuarantineAsync(mailbox, uid, messageId, reason.ToString(), detail, raw, ct);
        logger.LogWarning("Message {MessageId} (UID {Uid}) quarantined: {Reason}", messageId, uid, reason);
        return IntakeOutcome.Quarantined;
    }
}
