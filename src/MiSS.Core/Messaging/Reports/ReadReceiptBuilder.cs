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
    public static MultipartReport Build(string humanReadableText, string reportingUa, string reader, string originalMessageId)
    {
        var notification = new MessageDispositionNotification();
        notification.Fields.Add("Reporting-UA", reportingUa);
        // RFC 6533: an address that is not ASCII is a utf-8 address.
        notification.Fields.Add("Final-Recipient", (System.Text.Ascii.IsValid(reader) ? "rfc822;" : "utf-8;") + reader);
        notification.Fields.Add("Original-Message-ID", $"<{originalMessageId}>");
        notification.Fields.Add("Disposition", "manual-action/MDN-sent-manually; displayed");
        return new MultipartReport("disposition-notification")
        {
            new TextPart("plain") { Text = humanReadableText },
            notification,
        };
    }
}
