using MiSS.Core.Conversations;
using MimeKit;
using MimeKit.Utils;

namespace MiSS.Core.Messaging;

/// <summary>
/// The MiSS headers of a received message, read from the protected (signed and encrypted) headers only: what the outer
/// message says about conversations, patients or members is never trusted. Threading ids fall back to the outer
/// headers, which ordinary mail clients write.
/// </summary>
public sealed record ProtocolHeaders(
    string? Version,
    MessageKind Kind,
    string? ConversationId,
    Retention? Retention,
    DateTimeOffset? ExpiresAt,
    string? GroupName,
    GroupMembership? Members,
    PatientContext? Patient,
    string? ReceiptRequestedBy,
    IReadOnlyList<string> ReadMessageIds,
    string? InReplyTo,
    IReadOnlyList<string> References)
{
    /// <summary>True when the message was written by MiSS (it carries X-MiSS-Version).</summary>
    public bool IsMiss => Version is not null;

    /// <summary>Every Message-ID this message answers or follows, most specific first (for threading).</summary>
    public IEnumerable<string> ThreadIds => (InReplyTo is null ? [] : new[] { InReplyTo }).Concat(References.Reverse());

    /// <summary>Reads the headers; <paramref name="inner"/> is null when the message had no readable protected part.</summary>
    public static ProtocolHeaders Read(HeaderList? inner, MimeMessage outer)
    {
        string? Inner(string name) => inner?[name]?.Trim();
        var version = Inner(MissHeaders.Version);
        var kind = Inner(MissHeaders.Kind)?.ToLowerInvariant() switch
        {
            "membership" => MessageKind.Membership,
            "receipt" => MessageKind.Receipt,
            "retention" => MessageKind.Retention,
            "end" => MessageKind.End,
            _ => MessageKind.Text,
        };
        var conversation = Inner(MissHeaders.Conversation);
        var inReplyTo = MessageIds(Inner("In-Reply-To")).FirstOrDefault() ?? outer.InReplyTo;
        IReadOnlyList<string> references = inner?.Contains(HeaderId.References) == true
            ? MessageIds(string.Join(' ', inner.Where(h => h.Id == HeaderId.References).Select(h => h.Value))).ToList()
            : [.. outer.References];
        var receiptTo = Inner(MissHeaders.DispositionNotificationTo) is { } to && InternetAddressList.TryParse(to, out var receiptAddresses)
            ? receiptAddresses.Mailboxes.FirstOrDefault()?.Address
            : null;
        return new ProtocolHeaders(
            version,
            kind,
            conversation is { Length: > 0 and <= 64 } && conversation.All(char.IsAsciiLetterOrDigit) ? conversation.ToLowerInvariant() : null,
            Retention.Parse(Inner(MissHeaders.Retention)),
            Inner(MissHeaders.Expires) is { } expires && DateUtils.TryParse(expires, out var expiresAt) ? expiresAt : null,
            Inner(MissHeaders.GroupName),
            inner?.Contains(MissHeaders.Members) == true ? GroupMembership.Parse(Inner(MissHeaders.Members)) : null,
            PatientContext.Parse(Inner(MissHeaders.Patient)),
            receiptTo,
            MessageIds(Inner(MissHeaders.Read)).Take(1000).ToList(),
            inReplyTo,
            references.TakeLast(100).ToList());
    }

    /// <summary>The Message-IDs in a header value, without angle brackets; none for null.</summary>
    static IEnumerable<string> MessageIds(string? value) => value is null ? [] : MimeUtils.EnumerateReferences(value);
}
