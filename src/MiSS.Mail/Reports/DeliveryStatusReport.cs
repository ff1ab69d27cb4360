using MiSS.Mail.Mime;

namespace MiSS.Mail.Reports;

/// <summary>The Action of a recipient in a delivery status notification (RFC 3464 §2.3.3).</summary>
public enum DeliveryAction
{
    /// <summary>Absent or not one of the values below (see <see cref="RecipientStatus.RawAction"/>).</summary>
    Unknown,

    /// <summary>The message could not be delivered to the recipient.</summary>
    Failed,

    /// <summary>Delivery has not succeeded yet; the reporting MTA keeps trying.</summary>
    Delayed,

    /// <summary>The message was delivered to the recipient's mailbox.</summary>
    Delivered,

    /// <summary>The message was relayed to a system that does not issue delivery notifications.</summary>
    Relayed,

    /// <summary>The message was delivered to the recipient address and forwarded to several others.</summary>
    Expanded,
}

/// <summary>
/// A delivery status notification (RFC 3464 message/delivery-status, or RFC 6533 message/global-delivery-status):
/// the per-message fields and one <see cref="RecipientStatus"/> per recipient.
/// </summary>
public sealed record DeliveryStatusReport : MailReport
{
    /// <summary>Reporting-MTA, e.g. ("dns", "mx.example.org").</summary>
    public TypedValue? ReportingMta { get; init; }

    /// <summary>DSN-Gateway, when the report was translated from another mail system.</summary>
    public TypedValue? DsnGateway { get; init; }

    /// <summary>Received-From-MTA.</summary>
    public TypedValue? ReceivedFromMta { get; init; }

    /// <summary>Original-Envelope-Id as written (the ENVID given at submission; xtext is not decoded).</summary>
    public string? OriginalEnvelopeId { get; init; }

    /// <summary>Arrival-Date; null when absent or unreadable.</summary>
    public DateTimeOffset? ArrivalDate { get; init; }

    /// <summary>All per-message fields as read, extension and unknown fields included.</summary>
    public IReadOnlyList<Header> MessageFields { get; init; } = [];

    /// <summary>The per-recipient reports, in order.</summary>
    public IReadOnlyList<RecipientStatus> Recipients { get; init; } = [];
}

/// <summary>The per-recipient fields of a delivery status notification (RFC 3464 §2.3).</summary>
public sealed record RecipientStatus
{
    /// <summary>Original-Recipient: the address as given by the sender (ORCPT), when the MTA knew it.</summary>
    public TypedValue? OriginalRecipient { get; init; }

    /// <summary>Final-Recipient: the address the reporting MTA tried to deliver to.</summary>
    public TypedValue? FinalRecipient { get; init; }

    /// <summary>The Action, <see cref="DeliveryAction.Unknown"/> when absent or unrecognised.</summary>
    public DeliveryAction Action { get; init; }

    /// <summary>The Action field as written, or null when absent.</summary>
    public string? RawAction { get; init; }

    /// <summary>The Status code; null when absent or unreadable.</summary>
    public EnhancedStatusCode? Status { get; init; }

    /// <summary>The Status field as written, or null when absent.</summary>
    public string? RawStatus { get; init; }

    /// <summary>Remote-MTA: the MTA that reported the <see cref="DiagnosticCode"/>.</summary>
    public TypedValue? RemoteMta { get; init; }

    /// <summary>Diagnostic-Code, e.g. ("smtp", "550 5.1.1 User unknown"); the text is kept as written.</summary>
    public TypedValue? DiagnosticCode { get; init; }

    /// <summary>Last-Attempt-Date; null when absent or unreadable.</summary>
    public DateTimeOffset? LastAttemptDate { get; init; }

    /// <summary>Final-Log-ID as written.</summary>
    public string? FinalLogId { get; init; }

    /// <summary>Will-Retry-Until (for delayed delivery); null when absent or unreadable.</summary>
    public DateTimeOffset? WillRetryUntil { get; init; }

    /// <summary>All fields of this recipient as read, extension and unknown fields included.</summary>
    public IReadOnlyList<Header> Fields { get; init; } = [];

    /// <summary>
    /// <see cref="Action"/>, or when it is unknown the action implied by the <see cref="Status"/> class
    /// (5 failed, 4 delayed, 2 delivered): some MTAs omit the Action field.
    /// </summary>
    public DeliveryAction EffectiveAction => Action != DeliveryAction.Unknown
        ? Action
        : Status?.Class switch
        {
            5 => DeliveryAction.Failed,
            4 => DeliveryAction.Delayed,
            2 => DeliveryAction.Delivered,
            _ => DeliveryAction.Unknown,
        };
}
