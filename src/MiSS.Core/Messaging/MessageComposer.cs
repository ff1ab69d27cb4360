using MiSS.Core.Conversations;
using MiSS.Mail.Mime;
using MiSS.Mail.Reports;

namespace MiSS.Core.Messaging;

/// <summary>
/// Builds the two layers of a MiSS message (docs/protocol.md): the content with its protected headers, which gets signed
/// and encrypted, and the outer envelope, which shows only what mail transport needs.
/// </summary>
public sealed class MessageComposer(string productReference)
{
    /// <summary>
    /// The content to seal. Subject, From, To, Date, Message-ID, threading ids and every MiSS header are inside
    /// (protected headers): the receiver trusts these, not the outer ones, which any relay could rewrite.
    /// </summary>
    /// <param name="expires">When the message expires everywhere (X-MiSS-Expires); fixed by the sender at the moment it sends.</param>
    /// <param name="protection">Transport: the copy for recipients without a known certificate, signed only (X-MiSS-Protection).</param>
    public MimeEntity ComposeContent(StoredMessage message, Conversation? conversation, string senderDisplayName,
        IReadOnlyList<NewAttachment>? attachments = null, DateTimeOffset? expires = null, Protection protection = Protection.EndToEnd)
    {
        var content = message.Kind == MessageKind.Receipt ? ComposeReceipt(message) : ComposeText(message.Body, attachments);
        var headers = content.Headers;
        content.ContentType.Parameters["protected-headers"] = "v1";
        AddAddressing(headers, message, senderDisplayName);
        headers.Add("Subject", message.Subject ?? (message.Kind == MessageKind.Receipt ? "Accusé de lecture" : ""));
        headers.Add(MissHeaders.Version, MissHeaders.CurrentVersion);
        headers.Add(MissHeaders.Kind, message.Kind.ToString().ToLowerInvariant());
        if (protection == Protection.Transport)
        {
            headers.Add(MissHeaders.Protection, MissHeaders.TransportProtection);
        }
        if (expires is { } at)
        {
            headers.Add(MissHeaders.Expires, MailDate.Format(at));
        }
        if (conversation is not null)
        {
            headers.Add(MissHeaders.Conversation, conversation.ConversationId);
            headers.Add(MissHeaders.Retention, conversation.Retention.ToHeaderValue());
            if (conversation.Kind == ConversationKind.Group)
            {
                headers.Add(MissHeaders.GroupName, conversation.Name ?? "");
                headers.Add(MissHeaders.Members, conversation.Membership.ToHeaderValue());
            }
            if (conversation.Patient is { } patient)
            {
                headers.Add(MissHeaders.Patient, patient.ToHeaderValue());
            }
            if (conversation.ReadReceipts && message.Kind != MessageKind.Receipt)
            {
                headers.Add(MissHeaders.DispositionNotificationTo, new MailboxAddress(null, message.Sender).ToString());
            }
        }
        return content;
    }

    /// <summary>The outer message around a sealed body: neutral subject, transport and threading headers, X-MSS-NIL.</summary>
    public MimeMessage ComposeEnvelope(StoredMessage message, string senderDisplayName, MimeEntity sealedBody)
    {
        var envelope = new MimeMessage { Body = sealedBody };
        AddAddressing(envelope.Headers, message, senderDisplayName);
        envelope.Headers.Add("Subject", MissHeaders.NeutralSubject);
        envelope.Headers.Add(MissHeaders.MssNil, productReference);
        return envelope;
    }

    /// <summary>
    /// The text, then the footer that a recipient without MiSS reads (after an RFC 3676 signature separator); with
    /// attachments, a multipart/mixed of the text and each attachment (base64, its sanitised file name).
    /// </summary>
    static MimeEntity ComposeText(string text, IReadOnlyList<NewAttachment>? attachments)
    {
        var body = MimePart.CreateText($"{text.ReplaceLineEndings("\r\n")}\r\n\r\n{MissHeaders.FooterSeparator}\r\n{MissHeaders.Footer}\r\n");
        if (attachments is not { Count: > 0 })
        {
            return body;
        }
        var mixed = new Multipart("mixed") { Parts = { body } };
        foreach (var attachment in attachments)
        {
            mixed.Parts.Add(MimePart.CreateAttachment(attachment.MediaType, attachment.Content, attachment.FileName));
        }
        return mixed;
    }

    /// <summary>
    /// A read receipt: an RFC 8098 MDN for the first message read, and X-MiSS-Read listing every message it covers, so
    /// one receipt acknowledges a batch. The message's body holds the Message-IDs read.
    /// </summary>
    static MimeEntity ComposeReceipt(StoredMessage message)
    {
        var read = MimeMessage.ParseMessageIds(message.Body);
        var report = DispositionNotificationBuilder.Build(MissHeaders.ReceiptText, "MiSS", message.Sender, read[0],
            new Disposition(DispositionType.Displayed));
        report.Headers.Add(MissHeaders.Read, string.Join(' ', read.Select(id => $"<{id}>")));
        return report;
    }

    static void AddAddressing(HeaderList headers, StoredMessage message, string senderDisplayName)
    {
        headers.Add("From", new MailboxAddress(senderDisplayName, message.Sender).ToString());
        headers.Add("To", string.Join(", ", message.Recipients.Select(r => new MailboxAddress(null, r).ToString())));
        headers.Add("Date", MailDate.Format(message.CreatedAt));
        headers.Add("Message-ID", $"<{message.MessageId}>");
        if (message.InReplyTo is not null)
        {
            headers.Add("In-Reply-To", $"<{message.InReplyTo}>");
        }
        if (message.References is { Count: > 0 } references)
        {
            headers.Add("References", string.Join(' ', references.Select(id => $"<{id}>")));
        }
    }
}
