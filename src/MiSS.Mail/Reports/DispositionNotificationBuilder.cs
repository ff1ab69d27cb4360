using System.Globalization;
using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Reports;

/// <summary>
/// Builds message disposition notifications (RFC 8098), e.g. read receipts: a multipart/report with
/// report-type=disposition-notification holding a human-readable text/plain part, the
/// message/disposition-notification part and, optionally, the original message's header fields.
/// </summary>
public static class DispositionNotificationBuilder
{
    /// <summary>
    /// Builds the report body; put it in a <see cref="MimeMessage"/> addressed to the Disposition-Notification-To
    /// address of the original. Fields holding non-ASCII text make the part message/global-disposition-notification
    /// (RFC 6533), with non-ASCII addresses written as "utf-8;" addresses.
    /// </summary>
    /// <param name="humanReadableText">The explanation for people, in any language (any line ends; written as UTF-8).</param>
    /// <param name="reportingUa">Reporting-UA: "ua-name[; ua-product]", e.g. "host.example.fr; MiSS 1.0".</param>
    /// <param name="finalRecipient">Final-Recipient: the address of the recipient sending the notification.</param>
    /// <param name="originalMessageId">Original-Message-ID: the Message-ID of the original, with or without angle brackets.</param>
    /// <param name="disposition">The disposition; every part must be known (not Unknown), modifiers must be tokens.</param>
    /// <param name="originalRecipient">Original-Recipient, when the original carried one; null leaves the field out.</param>
    /// <param name="originalHeaders">Header fields of the original to return as text/rfc822-headers; null or empty leaves the part out.</param>
    /// <param name="errors">Error fields (for a disposition with the "error" modifier); null for none.</param>
    /// <exception cref="ArgumentException">A value is empty, holds a line break or control character, or is not a valid address or message id.</exception>
    public static Multipart Build(
        string humanReadableText,
        string reportingUa,
        string finalRecipient,
        string originalMessageId,
        Disposition disposition,
        string? originalRecipient = null,
        IEnumerable<Header>? originalHeaders = null,
        IEnumerable<string>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(humanReadableText);
        ArgumentNullException.ThrowIfNull(disposition);
        var ua = CheckText(reportingUa, nameof(reportingUa));
        var final = CheckAddress(finalRecipient, nameof(finalRecipient));
        var original = originalRecipient is null ? null : CheckAddress(originalRecipient, nameof(originalRecipient));
        var messageId = CheckMessageId(originalMessageId);
        var dispositionValue = disposition.TryFormat()
            ?? throw new ArgumentException("The disposition has an Unknown part or a modifier that is not a token.", nameof(disposition));
        var errorValues = (errors ?? []).Select(e => CheckText(e, nameof(errors))).ToList();

        var fields = new StringBuilder();
        Append(fields, "Reporting-UA", ua);
        if (original is not null)
            Append(fields, "Original-Recipient", Address(original));
        Append(fields, "Final-Recipient", Address(final));
        Append(fields, "Original-Message-ID", $"<{messageId}>");
        Append(fields, "Disposition", dispositionValue);
        foreach (var error in errorValues)
            Append(fields, "Error", error);
        var fieldText = fields.ToString();
        var global = !Ascii.IsValid(fieldText);

        var report = new Multipart("report");
        report.ContentType.Parameters["report-type"] = "disposition-notification";
        report.Parts.Add(MimePart.CreateText(humanReadableText));
        report.Parts.Add(Part(global ? "global-disposition-notification" : "disposition-notification", "message", fieldText));
        var headerList = (originalHeaders ?? []).ToList();
        if (headerList.Count > 0)
        {
            var headerText = string.Concat(headerList.Select(h => MimeWriter.Fold(h.Name, MimeWriter.PrepareValue(h.Name, h.Value))));
            report.Parts.Add(Ascii.IsValid(headerText) ? Part("rfc822-headers", "text", headerText) : Part("global-headers", "message", headerText));
        }
        return report;
    }

    private static MimePart Part(string subtype, string mediaType, string text)
    {
        var part = new MimePart(mediaType, subtype);
        if (!Ascii.IsValid(text))
            part.Encoding = ContentEncoding.EightBit;
        part.Content = Encoding.UTF8.GetBytes(text);
        return part;
    }

    private static void Append(StringBuilder fields, string name, string value) => fields.Append(MimeWriter.Fold(name, value));

    // RFC 6533: an address that is not ASCII is a utf-8 address, with '\', '+', '=' and controls written \x{HEX}.
    private static string Address(string address)
    {
        if (Ascii.IsValid(address))
            return "rfc822;" + address;
        var sb = new StringBuilder("utf-8;");
        foreach (var rune in address.EnumerateRunes())
        {
            if (rune.Value is '\\' or '+' or '=' || Rune.IsControl(rune))
                sb.Append(CultureInfo.InvariantCulture, $"\\x{{{rune.Value:X}}}");
            else
                sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    private static string CheckText(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var trimmed = value.Trim();
        if (trimmed.Length == 0 || trimmed.Any(c => (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029'))
            throw new ArgumentException("The value is empty or holds a line break or control character.", paramName);
        return trimmed;
    }

    private static string CheckAddress(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var address = value.Trim();
        if (address.StartsWith('<') && address.EndsWith('>'))
            address = address[1..^1];
        if (!MailboxAddress.IsValidAddress(address))
            throw new ArgumentException($"'{value}' is not a valid address.", paramName);
        return address;
    }

    private static string CheckMessageId(string? value)
    {
        ArgumentNullException.ThrowIfNull(value, "originalMessageId");
        var id = value.Trim();
        if (id.StartsWith('<') && id.EndsWith('>'))
            id = id[1..^1];
        if (id.Length == 0 || id.Any(c => c <= ' ' || c is '<' or '>' || c >= 127))
            throw new ArgumentException($"'{value}' is not a valid message id.", "originalMessageId");
        return id;
    }
}
