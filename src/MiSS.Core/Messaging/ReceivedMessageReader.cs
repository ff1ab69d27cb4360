using MiSS.Core.Secure;
using MiSS.Mail.Mime;

namespace MiSS.Core.Messaging;

/// <summary>Turns an opened message into what the store keeps: protected headers first, the text of the message.</summary>
public static class ReceivedMessageReader
{
    /// <summary>Reads a received message; the opened content may be null only for failures that have nothing to show.</summary>
    public static ReceivedMessage Read(MimeMessage envelope, OpenedMessage opened)
    {
        var content = opened.Content;
        var inner = content?.Headers;
        var from = envelope.From.FirstOrDefault();
        var subject = inner?["Subject"] is { } protectedSubject ? EncodedWords.Decode(protectedSubject) : envelope.Subject;
        var date = inner?["Date"] is { } protectedDate ? MailDate.Parse(protectedDate) : envelope.Date;
        var recipients = inner?["To"] is { } protectedTo ? AddressParser.ParseList(protectedTo) : envelope.To;
        var signature = new SignatureRecord(opened.Status, opened.Detail, opened.Signer?.DisplayName, opened.Signer?.Rpps, opened.WasEncrypted);
        return new ReceivedMessage(
            envelope.MessageId ?? "",
            from?.Address ?? "",
            from?.DisplayName,
            recipients.Select(r => r.Address).ToList(),
            subject,
            content is null ? "" : FindText(content) ?? "",
            date,
            signature);
    }

    /// <summary>The first text/plain part, depth first, without recursion (hostile nesting cannot overflow the stack).</summary>
    static string? FindText(MimeEntity root)
    {
        var pending = new Stack<MimeEntity>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case MimePart { ContentType.MimeType: "text/plain" } text when text.ContentDisposition?.Disposition is not "attachment":
                    return text.GetText();
                case Multipart multipart:
                    for (var i = multipart.Parts.Count - 1; i >= 0; i--)
                    {
                        pending.Push(multipart.Parts[i]);
                    }
                    break;
            }
        }
        return null;
    }
}
