using MiSS.Mail.Mime;

namespace MiSS.Core.Messaging;

/// <summary>
/// Builds the two layers of a MiSS message: the content (protected headers and text) that gets signed and encrypted,
/// and the outer envelope that only shows what mail transport needs.
/// </summary>
public sealed class MessageComposer(string productReference)
{
    /// <summary>
    /// The content to seal. The real Subject, From, To, Date and Message-ID are repeated inside (protected headers):
    /// the receiver trusts these, not the outer ones, which any relay could rewrite.
    /// </summary>
    public MimeEntity ComposeContent(StoredMessage message, string senderDisplayName)
    {
        var content = MimePart.CreateText(message.Body);
        content.ContentType.Parameters["protected-headers"] = "v1";
        AddAddressing(content.Headers, message, senderDisplayName);
        content.Headers.Add("Subject", message.Subject ?? "");
        content.Headers.Add(MissHeaders.Version, MissHeaders.CurrentVersion);
        return content;
    }

    /// <summary>The outer message around a sealed body: neutral subject, transport headers and X-MSS-NIL only.</summary>
    public MimeMessage ComposeEnvelope(StoredMessage message, string senderDisplayName, MimeEntity sealedBody)
    {
        var envelope = new MimeMessage { Body = sealedBody };
        AddAddressing(envelope.Headers, message, senderDisplayName);
        envelope.Headers.Add("Subject", MissHeaders.NeutralSubject);
        envelope.Headers.Add(MissHeaders.MssNil, productReference);
        return envelope;
    }

    static void AddAddressing(HeaderList headers, StoredMessage message, string senderDisplayName)
    {
        headers.Add("From", new MailboxAddress(senderDisplayName, message.Sender).ToString());
        headers.Add("To", string.Join(", ", message.Recipients.Select(r => new MailboxAddress(null, r).ToString())));
        headers.Add("Date", MailDate.Format(message.CreatedAt));
        headers.Add("Message-ID", $"<{message.MessageId}>");
    }
}
