using MiSS.Core.Secure;
using MimeKit;
using MimeKit.Utils;

namespace MiSS.Core.Messaging;

/// <summary>Turns an opened message into what the store keeps: protected headers first, the text without the MiSS footer.</summary>
public static class ReceivedMessageReader
{
    /// <summary>Reads a received message and its MiSS headers.</summary>
    public static (ReceivedMessage Message, ProtocolHeaders Protocol) Read(MimeMessage envelope, OpenedMessage opened)
    {
        var content = opened.Content;
        var inner = content?.Headers;
        var protocol = ProtocolHeaders.Read(inner, envelope);
        var from = envelope.From.Mailboxes.FirstOrDefault();
        var subject = inner?[HeaderId.Subject] ?? envelope.Subject;
        var date = Date(inner?[HeaderId.Date] ?? envelope.Headers[HeaderId.Date]);
        var recipients = inner?[HeaderId.To] is { } protectedTo
            ? InternetAddressList.TryParse(protectedTo, out var protectedAddresses) ? protectedAddresses.Mailboxes : []
            : envelope.To.Mailboxes;
        var signature = new SignatureRecord(opened.Status, opened.Detail, opened.Signer?.DisplayName, opened.Signer?.Rpps, opened.WasEncrypted);
        var (textPart, attachments) = content is null ? (null, []) : Split(content);
        var text = textPart?.Text ?? "";
        var message = new ReceivedMessage(
            envelope.MessageId ?? "",
            from?.Address ?? "",
            string.IsNullOrEmpty(from?.Name) ? null : from.Name,
            recipients.Select(r => r.Address).ToList(),
            subject,
            protocol.IsMiss ? WithoutFooter(text) : text.ReplaceLineEndings("\n").TrimEnd(),
            date,
            signature,
            Kind: protocol.Kind,
            InReplyTo: protocol.InReplyTo,
            References: protocol.References,
            Attachments: attachments);
        return (message, protocol);
    }

    /// <summary>A MiSS message's text ends at its last signature separator line: what follows is the footer for mail clients.</summary>
    static string WithoutFooter(string text)
    {
        var lines = text.ReplaceLineEndings("\n");
        var separator = lines.LastIndexOf("\n" + MissHeaders.FooterSeparator + "\n", StringComparison.Ordinal);
        return (separator >= 0 ? lines[..separator] : lines).TrimEnd();
    }

    /// <summary>How many attachments a message may carry; more is refused as a whole by the checks.</summary>
    public const int MaxAttachments = 50;

    /// <summary>
    /// The message text (the first inline text/plain part, depth first) and every other leaf part as an unchecked
    /// attachment, without recursion (hostile nesting cannot overflow the stack). The caller checks the attachments.
    /// </summary>
    static (TextPart? Text, List<NewAttachment> Attachments) Split(MimeEntity root)
    {
        TextPart? text = null;
        var attachments = new List<NewAttachment>();
        var pending = new Stack<MimeEntity>();
        pending.Push(root);
        while (pending.Count > 0 && attachments.Count <= MaxAttachments)
        {
            switch (pending.Pop())
            {
                case TextPart { IsPlain: true } plain when text is null && !plain.IsAttachment:
                    text = plain;
                    break;
                case MimePart part:
                    attachments.Add(new NewAttachment(part.FileName ?? part.ContentType.Name ?? "", part.ContentType.MimeType.ToLowerInvariant(), MimeBytes.Decoded(part)));
                    break;
                case MessagePart { Message: { } embedded }:
                    // Kept as an attachment, not opened: the checks decide whether it may be stored.
                    attachments.Add(new NewAttachment("message.eml", "message/rfc822", MimeBytes.Canonical(embedded)));
                    break;
                case Multipart multipart:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        pending.Push(multipart[i]);
                    }
                    break;
            }
        }
        return (text, attachments);
    }

    static DateTimeOffset? Date(string? value) => value is not null && DateUtils.TryParse(value, out var date) ? date : null;
}
