using MiSS.Core.Configuration;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.Mail;
using MiSS.Mail.Mime;
using MiSS.Mail.Smtp;
using MiSS.Mail.Tls;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MiSS.Core.Outgoing;

/// <summary>
/// Sends what the outbox holds: compose, seal (sign then encrypt for every recipient and the sender), submit over SMTP,
/// and only then mark the message sent. Transient failures are retried with backoff and jitter; a refusal by the server
/// or a recipient without a known certificate fails the message with its reason. A message's lifetime starts when it
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
    Audit.AuditTrail audit,
    Trust.TrustSpace trustSpace,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<OutboxSender> logger) : BackgroundService
{
    /// <summary>How often the outbox is looked at when nothing wakes the sender (messages queued by another process).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

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
        await using var smtp = new SmtpClient();
        await using var sent = new SentFolder(options, loggers.CreateLogger<SentFolder>());
        try
        {
            await ConnectAsync(smtp, ct);
        }
        catch (MailException e)
        {
            foreach (var message in messages)
            {
                await RetryLaterAsync(message, $"serveur d'envoi injoignable : {e.Message}", ct);
            }
            return;
        }
        foreach (var message in messages)
        {
            await SendOneAsync(smtp, sent, message, ct);
        }
        await smtp.QuitAsync(ct);
    }

    async Task ConnectAsync(SmtpClient smtp, CancellationToken ct)
    {
        var server = options.Smtp;
        if (server.DangerouslyAcceptAnyServerCertificate)
        {
            logger.LogWarning("SMTP server certificate NOT verified (DangerouslyAcceptAnyServerCertificate): development only");
        }
        await smtp.ConnectAsync(server.Host, server.Port, server.EffectiveSecurity, server.ToTlsSettings(options.Mailbox.LoadClientCertificate()), ct);
        await options.Mailbox.AuthenticateAsync(smtp, ct);
    }

    async Task SendOneAsync(SmtpClient smtp, SentFolder sent, StoredMessage message, CancellationToken ct)
    {
        var conversation = message.Conversation is { } id ? await conversations.GetAsync(id, ct) : null;
        var expires = (conversation?.Retention ?? new Conversations.Retention(options.Retention.Default, 0)).ExpiryOf(time.GetUtcNow());
        try
        {
            await SendOneAsync(smtp, sent, message, conversation, expires, ct);
        }
        finally
        {
            expiry.Notify();
            events.Publish(new Events.MissEvent(Events.MissEventKind.State, message.Conversation, message.MessageId));
        }
    }

    async Task SendOneAsync(SmtpClient smtp, SentFolder sent, StoredMessage message, Conversations.Conversation? conversation,
        DateTimeOffset expires, CancellationToken ct)
    {
        // Never sent in the clear: a recipient without a known, trusted certificate does not get the message, with a reason.
        var certificates = new List<System.Security.Cryptography.X509Certificates.X509Certificate2>();
        var reachable = new List<string>();
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
                reachable.Add(recipient);
            }
            else
            {
                refused[recipient] = $"aucun certificat de chiffrement valide connu pour {recipient} : message non envoyé à ce destinataire";
            }
        }
        if (reachable.Count == 0)
        {
            await store.MarkFailedAsync(message.Id, string.Join(" ; ", refused.Values), expires, ct);
            var outside = refused.Keys.Count(r => !trustSpace.Allows(r));
            await audit.AppendAsync(Audit.AuditKinds.MessageSendFailed, message.MessageId, message.Conversation, message.Sender,
                outside == 0
                    ? $"aucun certificat valide pour les {refused.Count} destinataire(s)"
                    : $"{outside} destinataire(s) hors de l'espace de confiance, aucun certificat valide pour {refused.Count - outside}", ct);
            logger.LogWarning("Message {MessageId} not sent: no recipient in the trust space with a valid certificate", message.MessageId);
            return;
        }

        var attachments = (await store.AttachmentsAsync(message.Id, ct))
            .Select(a => new NewAttachment(a.FileName, a.MediaType, store.ReadAttachment(a))).ToList();
        var content = composer.ComposeContent(message, conversation, options.Mailbox.DisplayName, attachments, expires);
        var body = seal.SignAndEncrypt(content, own.Certificate, certificates);
        var envelope = composer.ComposeEnvelope(message, options.Mailbox.DisplayName, body);
        try
        {
            // Delivery reports come back to this mailbox, matched by the envelope id; headers only, never the content.
            var dsn = new SmtpSendOptions
            {
                Notify = message.Kind == MessageKind.Receipt ? DsnNotify.Never : DsnNotify.Success | DsnNotify.Failure,
                Return = DsnReturn.Headers,
                EnvelopeId = message.MessageId,
                IncludeOriginalRecipient = true,
            };
            var bytes = MimeWriter.ToBytes(envelope);
            var result = await smtp.SendAsync(message.Sender, reachable, bytes, dsn, ct);
            foreach (var rejected in result.Recipients.Where(r => !r.Accepted))
            {
                refused[rejected.Address] = $"refusé par le serveur : {rejected.StatusCode} {rejected.Response}";
            }
            await store.MarkSentAsync(message.Id, refused, expires, ct);
            await audit.AppendAsync(Audit.AuditKinds.MessageSent, message.MessageId, message.Conversation, message.Sender,
                $"{message.Kind}, {message.Recipients.Count(r => !refused.ContainsKey(r))} destinataire(s) sur {message.Recipients.Count}", ct);
            if (refused.Count > 0)
            {
                logger.LogWarning("Message {MessageId} not sent to {Count} recipient(s)", message.MessageId, refused.Count);
            }
            logger.LogInformation("Message {MessageId} sent", message.MessageId);
            if (message.Kind != MessageKind.Receipt)
            {
                await sent.AppendAsync(message.MessageId, bytes, ct);
            }
        }
        catch (SmtpCommandException e) when (e.StatusCode is >= 500 and < 600)
        {
            await store.MarkFailedAsync(message.Id,
                $"refusé par le serveur : {e.StatusCode} {e.EnhancedStatusCode} {e.ServerText}".Replace("  ", " ", StringComparison.Ordinal), expires, ct);
            // The server's text stays out of the trail: only codes, which cannot echo anything of the message.
            await audit.AppendAsync(Audit.AuditKinds.MessageSendFailed, message.MessageId, message.Conversation, message.Sender,
                $"refusé par le serveur : {e.StatusCode} {e.EnhancedStatusCode}".TrimEnd(), ct);
            logger.LogWarning("Message {MessageId} refused by the server with {Code}", message.MessageId, e.StatusCode);
        }
        catch (MailException e)
        {
            await RetryLaterAsync(message, e.Message, ct);
            throw; // the session is unusable: the rest of the batch is retried on the next pass
        }
    }

    async Task FailOutsideTrustSpaceAsync(StoredMessage message, CancellationToken ct)
    {
        var conversation = message.Conversation is { } id ? await conversations.GetAsync(id, ct) : null;
        var expires = (conversation?.Retention ?? new Conversations.Retention(options.Retention.Default, 0)).ExpiryOf(time.GetUtcNow());
        await store.MarkFailedAsync(message.Id, string.Join(" ; ", message.Recipients.Select(Trust.TrustSpace.RefusalReason)), expires, ct);
        await audit.AppendAsync(Audit.AuditKinds.MessageSendFailed, message.MessageId, message.Conversation, message.Sender,
            $"{message.Recipients.Count} destinataire(s) hors de l'espace de confiance", ct);
        logger.LogWarning("Message {MessageId} not sent: no recipient in the trust space", message.MessageId);
        expiry.Notify();
        events.Publish(new Events.MissEvent(Events.MissEventKind.State, message.Conversation, message.MessageId));
    }

    async Task RetryLaterAsync(StoredMessage message, string error, CancellationToken ct)
    {
        // Exponential backoff with jitter, so that many instances do not hammer a server that comes back.
        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(message.Attempts, 16)));
        var delay = TimeSpan.FromSeconds(seconds * (0.5 + Random.Shared.NextDouble()));
        await store.ScheduleRetryAsync(message.Id, error, time.GetUtcNow() + delay, ct);
        logger.LogWarning("Message {MessageId} will be retried in {Delay}", message.MessageId, delay);
    }
}
