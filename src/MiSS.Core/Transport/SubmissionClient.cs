using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace MiSS.Core.Transport;

/// <summary>A recipient the server refused, with its reply code and text.</summary>
/// <param name="Address">The RCPT TO address.</param>
/// <param name="StatusCode">The SMTP reply code (550, 450...).</param>
/// <param name="Response">The server's text.</param>
public sealed record RecipientRefusal(string Address, int StatusCode, string Response);

/// <summary>What the server did with one submission.</summary>
/// <param name="Accepted">The recipients the server took.</param>
/// <param name="Refused">The recipients it refused, each with its reply; the others were still sent to.</param>
/// <param name="TransactionRefusal">
/// A permanent refusal of the whole transaction (5xx at MAIL FROM or DATA): nobody got the message, and retrying will not help.
/// </param>
public sealed record SubmissionResult(IReadOnlyList<string> Accepted, IReadOnlyList<RecipientRefusal> Refused, SmtpCommandException? TransactionRefusal);

/// <summary>
/// SMTP submission with what MiSS asks of every message: delivery status notifications (NOTIFY SUCCESS,FAILURE, or NEVER
/// for read receipts; RET=HDRS so a report never carries the content; ENVID = the Message-ID; ORCPT, which MailKit adds with NOTIFY), and a refused
/// recipient recorded instead of aborting the others. SIZE and PIPELINING are MailKit's.
/// </summary>
public sealed class SubmissionClient : SmtpClient
{
    readonly List<RecipientRefusal> _refused = [];
    bool _notify;

    /// <summary>A client asking for headers-only delivery reports.</summary>
    public SubmissionClient() => DeliveryStatusNotificationType = MailKit.Net.Smtp.DeliveryStatusNotificationType.HeadersOnly;

    /// <summary>
    /// Submits <paramref name="message"/> from <paramref name="sender"/> to <paramref name="recipients"/> in one transaction.
    /// A permanent refusal of the transaction comes back in <see cref="SubmissionResult.TransactionRefusal"/>; a transient
    /// one (4xx) or a lost connection throws, so the caller retries later.
    /// </summary>
    public async Task<SubmissionResult> SubmitAsync(MimeMessage message, string sender, IReadOnlyList<string> recipients, bool notify, CancellationToken ct)
    {
        _refused.Clear();
        _notify = notify;
        try
        {
            await SendAsync(message, new MailboxAddress("", sender), recipients.Select(r => new MailboxAddress("", r)), ct);
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.MessageNotAccepted && _refused.Count == recipients.Count)
        {
            // Every RCPT TO was refused: MailKit gives up before DATA; each refusal is already recorded with its reply.
        }
        catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted && (int)e.StatusCode >= 500)
        {
            return new SubmissionResult([], recipients.Select(r => new RecipientRefusal(r, (int)e.StatusCode, e.Message)).ToList(), e);
        }
        var refused = _refused.Select(r => r.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new SubmissionResult(recipients.Where(r => !refused.Contains(r)).ToList(), [.. _refused], null);
    }

    /// <inheritdoc />
    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _refused.Add(new RecipientRefusal(mailbox.Address, (int)response.StatusCode, response.Response));

    /// <inheritdoc />
    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
        _notify ? DeliveryStatusNotification.Success | DeliveryStatusNotification.Failure : DeliveryStatusNotification.Never;

    /// <inheritdoc />
    protected override string? GetEnvelopeId(MimeMessage message) => message.MessageId;

}
