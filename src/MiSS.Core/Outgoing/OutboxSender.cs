using MiSS.Core.Configuration;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.Core.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiSS.Core.Outgoing;

/// <summary>
/// Sends what the outbox holds: compose, seal (sign then encrypt for every recipient and the sender), submit over SMTP,
/// and only then mark the message sent. Transient failures are retried with backoff and jitter; a refusal by the server
/// or a recipient without a known certificate fails the message for that recipient with its reason (or, when
/// MiSS:Security:AllowTransportOnly is set, sends that recipient a copy signed but not encrypted, marked "transport"). A message's lifetime starts when it
/// is sent (docs/protocol.md, section 9): one that waited in the outbox loses none of it.
/// </summary>
public sealed class OutboxSender(
    MessageStore store,
    ConversationStore conversations,
    MissOptions options,
    OwnCertificate own,
    SmimeSeal seal,
    RecipientCertificates recipientCertificates,
    MessageComposer composer,
    OutboxSignal signal,
    Expiry.ExpirySignal expiry,
    Events.MissEvents events,
    Trust.TrustSpace trustSpace,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<OutboxSender> logger) : BackgroundService
{
    /// <summary>How often the outbox is looked at when nothing wakes the sender (messages queued by another process).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>The RFC 3463 code opening a server's reply text (MailKit keeps it in the text).</summary>
    static readonly System.Text.RegularExpressions.Regex EnhancedStatusCode = new(@"^[245]\.\d{1,3}\.\d{1,3}\b");

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await store.DueOutgoingAsync(50, stoppingToken);
                if (due.Count > 0)
                {
                    await SendAsync(due, stoppingToken);
                    continue;
                }
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Outbox pass failed; retrying shortly");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    /// <summary>Sends a batch over one SMTP session.</summary>
    public async Task SendAsync(IReadOnlyList<StoredMessage> messages, CancellationToken ct)
    {
        // A message with no recipient in the trust space fails here, before any connection: the SMTP server never
        // hears of it, not even its envelope.
        var sendable = new List<StoredMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message.Recipients.Any(trustSpace.Allows))
            {
                sendable.Add(message);
            }
            else
            {
                await FailOutsideTrustSpaceAsync(message, ct);
            }
        }
        if (sendable.Count == 0)
        {
            return;
        }
        messages = sendable;
        await using var sent = new SentFolder(options, loggers.CreateLogger<SentFolder>());
        SubmissionClient smtp;
        try
        {
            smtp = await options.OpenSmtpAsync(logger, ct);
        }
        catch (Exception e) when (TransportFailure.Is(e))
        {
            foreach (var message in messages)
            {
                await RetryLaterAsync(message, $"serveur d'envoi injoignable : {TransportFailure.Describe(e)}", ct);
            }
            return;
        }
        using (smtp)
        {
            foreach (var message in messages)
            {
                await SendOneAsync(smtp, sent, message, ct);
            }
            await smtp.DisconnectAsync(quit: true, ct);
        }
    }

    async Task SendOneAsync(SubmissionClient smtp, SentFolder sent, StoredMessage message, CancellationToken ct)
    {
        var (conversation, expires) = await ExpiryIfSentNowAsync(message, ct);
        try
        {
            await SendOneAsync(smtp, sent, message, conversation, expires, ct);
        }
        finally
        {
            Settled(message);
        }
    }

    /// <summary>The message's conversation, and when the message expires if it leaves (or fails) now.</summary>
    async Task<(Conversations.Conversation? Conversation, DateTimeOffset Expires)> ExpiryIfSentNowAsync(StoredMessage message, CancellationToken ct)
    {
        var conversation = message.Conversation is { } id ? await conversations.GetAsync(id, ct) : null;
        return (conversation, (conversation?.Retention ?? new Conversations.Retention(options.Retention.Default, 0)).ExpiryOf(time.GetUtcNow()));
    }

    /// <summary>A message's state changed: its expiry may be due sooner, and the clients are told.</summary>
    void Settled(StoredMessage message)
    {
        expiry.Notify();
        events.Publish(new Events.MissEvent(Events.MissEventKind.State, message.Conversation, message.MessageId));
    }

    async Task SendOneAsync(SubmissionClient smtp, SentFolder sent, StoredMessage message, Conversations.Conversation? conversation,
        DateTimeOffset expires, CancellationToken ct)
    {
        // Never sent in the clear: a recipient without a known, trusted certificate does not get the message, with a reason,
        // unless the policy allows a copy signed but protected by the MSSanté space's TLS only (marked "transport").
        var certificates = new List<System.Security.Cryptography.X509Certificates.X509Certificate2>();
        var encrypted = new List<string>();
        var transportOnly = new List<string>();
        var refused = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var recipient in message.Recipients)
        {
            // Defence in depth: the conversation service refuses such addresses, but a member can also come from a
            // received group message or an older store; nothing leaves for an address outside the trust space.
            if (!trustSpace.Allows(recipient))
            {
                refused[recipient] = Trust.TrustSpace.RefusalReason(recipient);
            }
            else if (await recipientCertificates.FindAsync(recipient, ct) is { } certificate)
            {
                certificates.Add(certificate);
                encrypted.Add(recipient);
            }
            else if (options.Security.AllowTransportOnly)
            {
                transportOnly.Add(recipient);
            }
            else
            {
                refused[recipient] = RecipientCertificates.MissingReason(recipient);
            }
        }
        if (encrypted.Count == 0 && transportOnly.Count == 0)
        {
            var outside = refused.Keys.Count(r => !trustSpace.Allows(r));
            await store.MarkFailedAsync(message.Id, string.Join(" ; ", refused.Values), expires, SendFailed(message,
                outside == 0
                    ? $"aucun certificat valide pour les {refused.Count} destinataire(s)"
                    : $"{outside} destinataire(s) hors de l'espace de confiance, aucun certificat valide pour {refused.Count - outside}"), ct);
            logger.LogWarning("Message {MessageId} not sent: no recipient in the trust space with a valid certificate", message.MessageId);
            return;
        }

        var attachments = (await store.AttachmentsAsync(message.Id, ct))
            .Select(a => new NewAttachment(a.FileName, a.MediaType, store.ReadAttachment(a))).ToList();
        // One SMTP transaction per protection: the encrypted copy never goes to a recipient who could not open it, and the
        // signed-only copy never goes to one who could have had it encrypted.
        MimeKit.MimeMessage? encryptedCopy = null, transportCopy = null;
        MailKit.Net.Smtp.SmtpCommandException? serverRefusal = null;
        if (encrypted.Count > 0)
        {
            var content = composer.ComposeContent(message, conversation, options.Mailbox.DisplayName, attachments, expires);
            encryptedCopy = Envelope(message, seal.SignAndEncrypt(content, own.Certificate, certificates));
            serverRefusal = await SubmitAsync(smtp, message, encrypted, encryptedCopy, refused, ct);
        }
        if (transportOnly.Count > 0)
        {
            var content = composer.ComposeContent(message, conversation, options.Mailbox.DisplayName, attachments, expires, Protection.Transport);
            transportCopy = Envelope(message, seal.Sign(content, own.Certificate));
            serverRefusal = await SubmitAsync(smtp, message, transportOnly, transportCopy, refused, ct) ?? serverRefusal;
        }

        var accepted = message.Recipients.Count(r => !refused.ContainsKey(r));
        if (accepted == 0)
        {
            // The server's text stays out of the trail: only codes, which cannot echo anything of the message.
            await store.MarkFailedAsync(message.Id, string.Join(" ; ", refused.Values.Distinct()), expires, SendFailed(message,
                serverRefusal is null
                    ? $"refusé pour les {refused.Count} destinataire(s)"
                    : $"refusé par le serveur : {(int)serverRefusal.StatusCode} {EnhancedStatusCode.Match(serverRefusal.Message).Value}".TrimEnd()), ct);
            logger.LogWarning("Message {MessageId} refused for every recipient", message.MessageId);
            return;
        }
        var transported = transportOnly.Where(r => !refused.ContainsKey(r)).ToList();
        await store.MarkSentAsync(message.Id, refused, expires, transported, new Audit.AuditEvent(Audit.AuditKinds.MessageSent, message.MessageId,
            message.Conversation, message.Sender, $"{message.Kind}, {accepted} destinataire(s) sur {message.Recipients.Count}" +
            (transported.Count > 0 ? $", dont {transported.Count} sans chiffrement de bout en bout (sécurité du transport seule)" : "")), ct);
        if (refused.Count > 0)
        {
            logger.LogWarning("Message {MessageId} not sent to {Count} recipient(s)", message.MessageId, refused.Count);
        }
        if (transported.Count > 0)
        {
            logger.LogWarning("Message {MessageId} sent signed but not encrypted to {Count} recipient(s) without a known certificate (AllowTransportOnly)",
                message.MessageId, transported.Count);
        }
        logger.LogInformation("Message {MessageId} sent", message.MessageId);
        if (message.Kind != MessageKind.Receipt && (encryptedCopy ?? transportCopy) is { } copy)
        {
            await sent.AppendAsync(message.MessageId, copy, ct);
        }
    }

    MimeKit.MimeMessage Envelope(StoredMessage message, MimeKit.MimeEntity sealedBody) =>
        composer.ComposeEnvelope(message, options.Mailbox.DisplayName, sealedBody);

    /// <summary>
    /// One SMTP transaction for some of the recipients. Recipients the server refuses are added to <paramref name="refused"/>;
    /// a permanent refusal of the whole transaction is returned (its recipients refused with the server's reply). A
    /// connection failure throws: the message is retried as a whole.
    /// </summary>
    async Task<MailKit.Net.Smtp.SmtpCommandException?> SubmitAsync(SubmissionClient smtp, StoredMessage message, IReadOnlyList<string> recipients,
        MimeKit.MimeMessage copy, Dictionary<string, string> refused, CancellationToken ct)
    {
        // Delivery reports come back to this mailbox, matched by the envelope id; headers only, never the content.
        SubmissionResult result;
        try
        {
            result = await smtp.SubmitAsync(copy, message.Sender, recipients, notify: message.Kind != MessageKind.Receipt, ct);
        }
        catch (Exception e) when (TransportFailure.Is(e))
        {
            await RetryLaterAsync(message, TransportFailure.Describe(e), ct);
            throw; // the session is unusable: the rest of the batch is retried on the next pass
        }
        foreach (var rejected in result.Refused)
        {
            refused[rejected.Address] = $"refusé par le serveur : {rejected.StatusCode} {rejected.Response}";
        }
        if (result.TransactionRefusal is { } refusal)
        {
            logger.LogWarning("Message {MessageId} refused by the server with {Code}", message.MessageId, (int)refusal.StatusCode);
        }
        return result.TransactionRefusal;
    }

    async Task FailOutsideTrustSpaceAsync(StoredMessage message, CancellationToken ct)
    {
        var (_, expires) = await ExpiryIfSentNowAsync(message, ct);
        await store.MarkFailedAsync(message.Id, string.Join(" ; ", message.Recipients.Select(Trust.TrustSpace.RefusalReason)), expires,
            SendFailed(message, $"{message.Recipients.Count} destinataire(s) hors de l'espace de confiance"), ct);
        logger.LogWarning("Message {MessageId} not sent: no recipient in the trust space", message.MessageId);
        Settled(message);
    }

    /// <summary>The audit record of a message that will not be sent, written with its failed state.</summary>
    static Audit.AuditEvent SendFailed(StoredMessage message, string detail) =>
        new(Audit.AuditKinds.MessageSendFailed, message.MessageId, message.Conversation, message.Sender, detail);

    async Task RetryLaterAsync(StoredMessage message, string error, CancellationToken ct)
    {
        // Exponential backoff with jitter, so that many instances do not hammer a server that comes back.
        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(message.Attempts, 16)));
        var delay = TimeSpan.FromSeconds(seconds * (0.5 + Random.Shared.NextDouble()));
        await store.ScheduleRetryAsync(message.Id, error, time.GetUtcNow() + delay, ct);
        logger.LogWarning("Message {MessageId} will be retried in {Delay}", message.MessageId, delay);
    }
}
