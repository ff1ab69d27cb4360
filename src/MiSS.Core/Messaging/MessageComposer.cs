using MiSS.Core.Conversations;
using MimeKit;
using MimeKit.Utils;
using MiSS.Core.Messaging.Reports;

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
            headers.Add(MissHeaders.Expires, DateUtils.FormatDate(at));
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
                headers.Add(MissHeaders.DispositionNotificationTo, Address(message.Sender));
            }
        }
        return content;
    }

    /// <summary>The outer message around a sealed body: neutral subject, transport and threading headers, X-MSS-NIL.</summary>
    public MimeMessage ComposeEnvelope(StoredMessage message, string senderDisplayName, MimeEntity sealedBody)
    {
        // Only the headers written here: MimeKit's defaults (a Date of now, a generated Message-Id) are not ours.
        var envelope = new MimeMessage((IEnumerable<Header>)[]);
        AddAddressing(envelope.Headers, message, senderDisplayName);
        envelope.Headers.Add("Subject", MissHeaders.NeutralSubject);
        envelope.Body = sealedBody;
        envelope.Headers.Add(MissHeaders.MssNil, productReference);
        return envelope;
    }

    /// <summary>
    /// The text, then the footer that a recipient without MiSS reads (after an RFC 3676 signature separator); with
    /// attachments, a multipart/mixed of the text and each attachment (base64, its sanitised file name).
    /// </summary>
    static MimeEntity ComposeText(string text, IReadOnlyList<NewAttachment>? attachments)
    {
        var body = new TextPart("plain");
        body.SetText(System.Text.Encoding.UTF8, MessageText.Lines(text, "\r\n") + MessageText.FooterSuffix("\r\n"));
        if (attachments is not { Count: > 0 })
        {
            return body;
        }
        var mixed = new Multipart("mixed") { body };
        foreach (var attachment in attachments)
        {
            mixed.Add(new MimePart(ContentType.Parse(attachment.MediaType))
            {
                Content = new MimeContent(new MemoryStream(attachment.Content)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = attachment.FileName,
            });
        }
        return mixed;
    }

    /// <summary>
    /// A read receipt: an RFC 8098 MDN for the first message read, and X-MiSS-Read listing every message it covers, so
    /// one receipt acknowledges a batch. The message's body holds the Message-IDs read.
    /// </summary>
    static MimeEntity ComposeReceipt(StoredMessage message)
    {
        var read = MimeUtils.EnumerateReferences(message.Body).ToList();
        var report = ReadReceiptBuilder.Build(MissHeaders.ReceiptText, "MiSS", message.Sender, read[0]);
        report.Headers.Add(MissHeaders.Read, string.Join(' ', read.Select(id => $"<{id}>")));
        return report;
    }

    static string Address(string address) => new MailboxAddress((string?)null, address).ToString(encode: true);

    static void AddAddressing(HeaderList headers, StoredMessage message, string senderDisplayName)
    {
        headers.Add(HeaderId.From, new MailboxAddress(senderDisplayName, message.Sender).ToString(encode: true));
        headers.Add(HeaderId.To, string.Join(", ", message.Recipients.Select(Address)));
        headers.Add(HeaderId.Date, DateUtils.FormatDate(message.CreatedAt));
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
