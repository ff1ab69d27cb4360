using MiSS.Mail.Mime;

namespace MiSS.Mail.Reports;

/// <summary>
/// A message disposition notification (RFC 8098 message/disposition-notification, or RFC 6533
/// message/global-disposition-notification): what happened to a message at the recipient, e.g. it was displayed.
/// </summary>
public sealed record DispositionNotification : MailReport
{
    /// <summary>Reporting-UA as written: "ua-name[; ua-product]".</summary>
    public string? ReportingUa { get; init; }

    /// <summary>MDN-Gateway, when the notification was translated from another mail system.</summary>
    public TypedValue? MdnGateway { get; init; }

    /// <summary>Original-Recipient: the recipient address as the sender gave it, when known.</summary>
    public TypedValue? OriginalRecipient { get; init; }

    /// <summary>Final-Recipient: the recipient whose user agent sent the notification.</summary>
    public TypedValue? FinalRecipient { get; init; }

    /// <summary>Original-Message-ID without angle brackets: the Message-ID of the message the notification is about.</summary>
    public string? OriginalMessageId { get; init; }

    /// <summary>The parsed Disposition field, or null when absent.</summary>
    public Disposition? Disposition { get; init; }

    /// <summary>The Error fields (and the Failure fields of RFC 3798), in order.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>All fields as read, extension and unknown fields included.</summary>
    public IReadOnlyList<Header> Fields { get; init; } = [];
}
