namespace MiSS.Core.Messaging.Reports;

/// <summary>
/// What MiSS reads of a machine-readable mail report (RFC 6522 multipart/report): a <see cref="DeliveryStatusReport"/>
/// (RFC 3464, from mail servers) or a <see cref="DispositionNotification"/> (RFC 8098, a read receipt). Values come
/// from untrusted input: they match and classify, they prove nothing (a report can be forged).
/// </summary>
public abstract record MailReport
{
    /// <summary>The Message-ID of the returned original (its headers or the whole message), without angle brackets, or null.</summary>
    public string? ReturnedMessageId { get; init; }
}

/// <summary>The Action of one recipient in a delivery status notification (RFC 3464 §2.3.3).</summary>
public enum DeliveryAction
{
    /// <summary>Absent or not one of the values below.</summary>
    Unknown,

    /// <summary>The message could not be delivered.</summary>
    Failed,

    /// <summary>Not delivered yet; the reporting server keeps trying.</summary>
    Delayed,

    /// <summary>Delivered to the recipient's mailbox.</summary>
    Delivered,

    /// <summary>Relayed to a system that reports no final delivery.</summary>
    Relayed,

    /// <summary>Delivered and forwarded to several others.</summary>
    Expanded,
}

/// <summary>A delivery status notification: its envelope id and one <see cref="RecipientStatus"/> per recipient.</summary>
public sealed record DeliveryStatusReport : MailReport
{
    /// <summary>Original-Envelope-Id as written (the ENVID given at submission, which MiSS sets to the Message-ID).</summary>
    public string? OriginalEnvelopeId { get; init; }

    /// <summary>The per-recipient reports, in order.</summary>
    public IReadOnlyList<RecipientStatus> Recipients { get; init; } = [];
}

/// <summary>What a delivery status notification says of one recipient (RFC 3464 §2.3).</summary>
/// <param name="FinalRecipient">Final-Recipient's address (without its "rfc822;" type), or null.</param>
/// <param name="OriginalRecipient">Original-Recipient's address (the ORCPT given at submission), or null.</param>
/// <param name="Action">The Action field, <see cref="DeliveryAction.Unknown"/> when absent or unrecognised.</param>
/// <param name="Status">The Status field as written (e.g. "5.1.1"), or null.</param>
/// <param name="DiagnosticCode">Diagnostic-Code's text without its type (e.g. "550 5.1.1 User unknown"), or null.</param>
public sealed partial record RecipientStatus(string? FinalRecipient, string? OriginalRecipient, DeliveryAction Action, string? Status, string? DiagnosticCode)
{
    /// <summary>
    /// <see cref="Action"/>, or when it is unknown the action the Status class implies (5 failed, 4 delayed, 2 delivered):
    /// some servers omit the Action field.
    /// </summary>
    public DeliveryAction EffectiveAction => Action != DeliveryAction.Unknown
        ? Action
        : Status is not null && StatusCode().Match(Status) is { Success: true } code
            ? code.Groups[1].Value switch
            {
                "5" => DeliveryAction.Failed,
                "4" => DeliveryAction.Delayed,
                _ => DeliveryAction.Delivered,
            }
            : DeliveryAction.Unknown;

    /// <summary>An enhanced status code (RFC 3463: class.subject.detail) anywhere in the field, e.g. "550 5.1.1 user unknown".</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")]
    private static partial System.Text.RegularExpressions.Regex StatusCode();
}

/// <summary>The disposition type of a read receipt (RFC 8098 §3.2.6.2).</summary>
public enum DispositionType
{
    /// <summary>Absent or unrecognised.</summary>
    Unknown,

    /// <summary>The message was displayed to the recipient (read).</summary>
    Displayed,

    /// <summary>The message was deleted without being displayed.</summary>
    Deleted,

    /// <summary>Sent somewhere else (printed, faxed, forwarded) without being displayed.</summary>
    Dispatched,

    /// <summary>Processed without being displayed.</summary>
    Processed,
}

/// <summary>A message disposition notification: which message, and what became of it at the recipient.</summary>
/// <param name="OriginalMessageId">Original-Message-ID without angle brackets, or null.</param>
/// <param name="FinalRecipient">Final-Recipient's address, or null.</param>
/// <param name="Disposition">The disposition type.</param>
public sealed record DispositionNotification(string? OriginalMessageId, string? FinalRecipient, DispositionType Disposition) : MailReport;
