using MimeKit;

namespace MiSS.Core.Messaging.Reports;

/// <summary>
/// Builds a read receipt (RFC 8098): a multipart/report (report-type=disposition-notification) holding the text for
/// people and the machine-readable message/disposition-notification, "manual-action/MDN-sent-manually; displayed".
/// </summary>
public static class ReadReceiptBuilder
{
    /// <summary>The report body, to send to the address of the original's Disposition-Notification-To.</summary>
    /// <param name="humanReadableText">The explanation for people.</param>
    /// <param name="reportingUa">Reporting-UA, e.g. "MiSS".</param>
    /// <param name="reader">Final-Recipient: the address of whoever read the message.</param>
    /// <param name="originalMessageId">Original-Message-ID, without angle brackets.</param>
    /// <exception cref="ArgumentException">A value holds a line break (it would add fields to the report).</exception>
    public static MultipartReport Build(string humanReadableText, string reportingUa, string reader, string originalMessageId)
    {
        foreach (var (value, name) in new[] { (reportingUa, nameof(reportingUa)), (reader, nameof(reader)), (originalMessageId, nameof(originalMessageId)) })
        {
            if (value.AsSpan().ContainsAny('\r', '\n'))
            {
                throw new ArgumentException("a report field cannot hold a line break", name);
            }
        }
        var notification = new MessageDispositionNotification();
        notification.Fields.Add("Reporting-UA", reportingUa);
        // RFC 6533: an address that is not ASCII is a utf-8 address, written as raw UTF-8 (no encoded words) in a
        // message/global-disposition-notification.
        if (System.Text.Ascii.IsValid(reader))
        {
            notification.Fields.Add("Final-Recipient", "rfc822;" + reader);
        }
        else
        {
            notification.ContentType.MediaSubtype = "global-disposition-notification";
            notification.ContentTransferEncoding = ContentEncoding.EightBit;
            var finalRecipient = new Header("Final-Recipient", "x");
            finalRecipient.SetRawValue(System.Text.Encoding.UTF8.GetBytes(" utf-8;" + reader + "\r\n"));
            notification.Fields.Add(finalRecipient);
        }
        notification.Fields.Add("Original-Message-ID", $"<{originalMessageId.Trim().Trim('<', '>')}>");
        notification.Fields.Add("Disposition", "manual-action/MDN-sent-manually; displayed");
        return new MultipartReport("disposition-notification")
        {
            new TextPart("plain") { Text = humanReadableText },
            notification,
        };
    }
}
