using MiSS.Mail.Mime;

namespace MiSS.Mail.Reports;

/// <summary>
/// A machine-readable mail report found in a message (RFC 6522 multipart/report): a <see cref="DeliveryStatusReport"/>
/// or a <see cref="DispositionNotification"/>. Read one with <see cref="MailReports.TryRead(MimeMessage)"/>.
/// Values are taken from untrusted input: use them to match and classify, not as proof (a report can be forged).
/// </summary>
public abstract record MailReport
{
    /// <summary>The report-type parameter of the enclosing multipart/report as written, or null when absent (or not in a multipart/report).</summary>
    public string? ReportType { get; init; }

    /// <summary>True for the UTF-8 forms of RFC 6533 (message/global-delivery-status, message/global-disposition-notification).</summary>
    public bool IsGlobal { get; init; }

    /// <summary>
    /// The human-readable explanation: the first text part before the machine-readable part (text/plain preferred),
    /// else the multipart's preamble where some MTAs put it; null when there is none. At most the first 64 KiB.
    /// </summary>
    public string? HumanReadableText { get; init; }

    /// <summary>
    /// The header fields of the returned original message (from a message/rfc822, message/global, text/rfc822-headers
    /// or message/global-headers part), or null when none was returned.
    /// </summary>
    public HeaderList? ReturnedHeaders { get; init; }

    /// <summary>The returned original message when it was returned whole (message/rfc822 or message/global), else null.</summary>
    public MimeMessage? ReturnedMessage { get; init; }

    /// <summary>The Message-ID of the returned original, without angle brackets, or null.</summary>
    public string? ReturnedMessageId => ReturnedHeaders?["Message-ID"] is { } id ? MimeMessage.MessageIds(id).FirstOrDefault() : null;
}
