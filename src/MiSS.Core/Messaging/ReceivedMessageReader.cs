using MiSS.Core.Secure;
using MimeKit;
using MimeKit.Encodings;
using MimeKit.Utils;
using System.Text;
using System.Text.RegularExpressions;

namespace MiSS.Core.Messaging;

/// <summary>Turns an opened message into what the store keeps: protected headers first, the text without the MiSS footer.</summary>
public static partial class ReceivedMessageReader
{
    /// <summary>Reads a received message and its MiSS headers.</summary>
    public static (ReceivedMessage Message, ProtocolHeaders Protocol) Read(MimeMessage envelope, OpenedMessage opened)
    {
        var content = opened.Content;
        var inner = content?.Headers;
        var protocol = ProtocolHeaders.Read(inner, envelope);
        var from = Mailbox(envelope.Headers.FirstOrDefault(h => h.Id == HeaderId.From)) ?? envelope.From.Mailboxes.FirstOrDefault();
        var subject = Text(inner?.FirstOrDefault(h => h.Id == HeaderId.Subject)) ?? Text(envelope.Headers.FirstOrDefault(h => h.Id == HeaderId.Subject));
        var date = Date(inner?[HeaderId.Date] ?? envelope.Headers[HeaderId.Date]);
        var recipients = inner?[HeaderId.To] is { } protectedTo
            ? InternetAddressList.TryParse(protectedTo, out var protectedAddresses) ? protectedAddresses.Mailboxes : []
            : envelope.To.Mailboxes;
        var signature = new SignatureRecord(opened.Status, opened.Detail, opened.Signer?.DisplayName, opened.Signer?.Rpps, opened.WasEncrypted);
        var (textPart, attachments) = content is null ? (null, []) : Split(content);
        var text = textPart is null ? "" : Utf7Charset.Is(textPart.ContentType.Charset) ? textPart.GetText(Utf7Charset.Encoding) : textPart.Text;
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

    /// <summary>
    /// A MiSS message's text without what the composer appended (<see cref="MessageText.FooterSuffix"/>), and nothing
    /// else changed but line ends. A footer worded otherwise (another version) is taken off from the last separator
    /// that the composer's line breaks frame.
    /// </summary>
    static string WithoutFooter(string text)
    {
        var lines = MessageText.Lines(text, "\n");
        if (lines.EndsWith(MessageText.FooterSuffix("\n"), StringComparison.Ordinal))
        {
            return lines[..^MessageText.FooterSuffix("\n").Length];
        }
        var separator = lines.LastIndexOf(MessageText.FooterStart("\n"), StringComparison.Ordinal);
        return separator >= 0 && lines.EndsWith('\n') ? lines[..separator] : lines;
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

    /// <summary>A header's decoded text; encoded words in UTF-7, which MimeKit leaves undecoded, are decoded too.</summary>
    static string? Text(Header? header) =>
        header is null ? null : WithoutUtf7Words(header) is { } rewritten ? Rfc2047.DecodeText(Encoding.UTF8.GetBytes(rewritten)).Trim() : header.Value;

    /// <summary>The first mailbox of an address header, its name's UTF-7 encoded words decoded too.</summary>
    static MailboxAddress? Mailbox(Header? header) =>
        header is not null && WithoutUtf7Words(header) is { } rewritten && InternetAddressList.TryParse(rewritten, out var addresses)
            ? addresses.Mailboxes.FirstOrDefault()
            : null;

    /// <summary>
    /// The unfolded raw value with each UTF-7 encoded word rewritten as the same text in a UTF-8 one, for MimeKit to
    /// decode as usual; null when the value has none.
    /// </summary>
    static string? WithoutUtf7Words(Header header)
    {
        var raw = Encoding.UTF8.GetString(header.RawValue);
        if (!Utf7Word().IsMatch(raw))
        {
            return null;
        }
        return Utf7Word().Replace(raw.Replace("\r", "").Replace("\n", ""), word =>
        {
            var bytes = DecodedWord(word.Groups[1].Value is "b" or "B" ? new Base64Decoder() : new QuotedPrintableDecoder(rfc2047: true), word.Groups[2].Value);
            return "=?utf-8?b?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Utf7Charset.Encoding.GetString(bytes))) + "?=";
        });
    }

    /// <summary>The bytes of an encoded word's payload, through MimeKit's own "B" or "Q" decoder.</summary>
    static byte[] DecodedWord(IMimeDecoder decoder, string payload)
    {
        var input = Encoding.ASCII.GetBytes(payload);
        var output = new byte[decoder.EstimateOutputLength(input.Length)];
        return output[..decoder.Decode(input, 0, input.Length, output)];
    }

    [GeneratedRegex(@"=\?(?:utf-7|utf7|unicode-1-1-utf-7)(?:\*[^?]*)?\?([bBqQ])\?([^?\s]*)\?=", RegexOptions.IgnoreCase)]
    private static partial Regex Utf7Word();

    /// <summary>
    /// UTF-7 (RFC 2152), which .NET refuses by name since .NET 5, so MimeKit shows it undecoded: some mail clients still
    /// send it, in texts and in encoded words. Only read here, never written.
    /// </summary>
    static class Utf7Charset
    {
#pragma warning disable SYSLIB0001 // UTF-7 is obsolete for writing; reading what others wrote in it is the point
        public static readonly Encoding Encoding = new UTF7Encoding();
#pragma warning restore SYSLIB0001

        public static bool Is(string? charset) =>
            charset?.Trim().ToLowerInvariant() is "utf-7" or "utf7" or "unicode-1-1-utf-7" or "csunicode11utf7" or "x-unicode-2-0-utf-7";
    }
}
