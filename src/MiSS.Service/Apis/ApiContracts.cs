using System.Text.Json;
using System.Text.Json.Serialization;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.PractitionerDirectory;

namespace MiSS.Service.Apis;

/// <summary>What the signature check said about a received message; for a verified one, how the signer compares with the directory.</summary>
public sealed record SignatureDto(bool Verified, string Status, string Detail, string? SignerName, string? SignerRpps, bool Encrypted,
    SignerDirectoryDto? Directory = null);

/// <summary>The verified signer against the directory entry of the sender address: match, mismatch or absent, with a French detail.</summary>
public sealed record SignerDirectoryDto(string Status, string Detail);

/// <summary>
/// How far a sent message got with one recipient: queued, sent, delivered, read or failed; and how it was protected
/// for them once sent: <c>endToEnd</c> (encrypted) or <c>transport</c> (signed only, MiSS:Security:AllowTransportOnly).
/// </summary>
public sealed record RecipientDto(string Address, string State, string? Reason, string? Protection);

/// <summary>An attachment's description (its bytes are at /api/attachments/{id}).</summary>
public sealed record AttachmentDto(long Id, string FileName, string MediaType, long Size, int? Width, int? Height, bool HasThumbnail,
    string? RefusedReason);

/// <summary>
/// A message; once expired, only its trace (no text, no attachments). <c>Protection</c>: <c>endToEnd</c> when it travelled
/// encrypted, <c>transport</c> when it travelled signed only (received so, or sent so to at least one recipient), null
/// while nothing was sent.
/// </summary>
public sealed record MessageDto(long Id, string MessageId, long? ConversationId, string Direction, string Kind, string Sender, string Text,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? ReceivedAt, DateTimeOffset? ReadAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? ExpiredAt, string? ContentSha256, string State, string? Error, SignatureDto? Signature, IReadOnlyList<RecipientDto> Recipients,
    IReadOnlyList<AttachmentDto> Attachments, string? Protection);

/// <summary>
/// A directory entry, and whether an encryption certificate is known for its address (else a message to it is refused,
/// or sent signed only when the instance allows transport-only sending).
/// </summary>
public sealed record DirectoryResultDto(string Address, string DisplayName, string? Profession, string? Specialty, string? City, string? Rpps,
    string MailboxType, bool CertificateKnown);

/// <summary>One record of the audit trail (docs/security.md, "Audit trail"): never content.</summary>
public sealed record AuditRecordDto(long Seq, DateTimeOffset At, string Kind, string? MessageId, long? Conversation, string? Actor, string Detail,
    string PrevHash, string Hash);

/// <summary>
/// The audit trail's verification: intact or where and how it breaks (<c>modified</c>, <c>missing</c>, <c>relinked</c>,
/// <c>truncated</c>, <c>rewritten</c>), and the head to note (<c>SEQ:HASH</c>).
/// </summary>
public sealed record AuditVerificationDto(bool Intact, long Records, string? Head, long? BrokenAt, string? Break, string? Detail);

/// <summary>The patient a conversation is about.</summary>
public sealed record PatientDto(string Family, string Given, string? Birth, string? Ins, string? InsOid);

/// <summary>The latest message of a conversation, for the list.</summary>
public sealed record LastMessageDto(string Sender, string Text, DateTimeOffset CreatedAt);

/// <summary>
/// A conversation with what its list entry shows; <c>memberNames</c>: the name the national directory (or a trusted
/// certificate) gives each member address it knows, to show instead of the address.
/// </summary>
public sealed record ConversationDto(long Id, string ConversationId, string Kind, string? Name, IReadOnlyList<string> Members,
    PatientDto? Patient, bool ReadReceipts, long RetentionSeconds, DateTimeOffset? EndedAt, DateTimeOffset CreatedAt,
    DateTimeOffset LastMessageAt, int Unread, DateTimeOffset? NextExpiry, LastMessageDto? LastMessage,
    IReadOnlyDictionary<string, string> MemberNames);

/// <summary>Starts a conversation: <c>peer</c> for a direct one, or <c>name</c> and <c>members</c> for a group.</summary>
public sealed record NewConversationRequest(string? Peer, string? Name, IReadOnlyList<string>? Members, PatientDto? Patient);

/// <summary>A new retention, in seconds.</summary>
public sealed record RetentionRequest(long Seconds);

/// <summary>A member to add.</summary>
public sealed record MemberRequest(string Address);

/// <summary>An attachment to send; photos are processed unless <c>original</c> (their metadata is stripped anyway).</summary>
public sealed record NewAttachmentRequest(string FileName, string ContentBase64, bool Original = false);

/// <summary>A message to write.</summary>
public sealed record NewMessageRequest(string? Text, IReadOnlyList<NewAttachmentRequest>? Attachments);

/// <summary>Received messages to mark read.</summary>
public sealed record ReceiptsRequest(IReadOnlyList<string> MessageIds);

/// <summary>How many were newly read.</summary>
public sealed record ReceiptsResponse(int Read);

/// <summary>The account and the service.</summary>
public sealed record StatusDto(string Mailbox, string DisplayName, bool InboxConnected, bool InboxIdle, string? InboxError, int Queued,
    DateTimeOffset? NextExpiry, string Version, IReadOnlyList<TrustSourceDto> TrustSources);

/// <summary>
/// One downloaded source (kind <c>crl</c>, <c>white-list</c> or <c>directory</c>, the national directory): when it was last
/// taken, and the French reason of the last failure (null once a download succeeds again). Empty when no URL is configured.
/// </summary>
public sealed record TrustSourceDto(string Kind, string Source, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, string? LastError);

/// <summary>A one-time link that opens the web client.</summary>
public sealed record SessionLinkDto(Uri Url);

/// <summary>One event of the stream.</summary>
public sealed record EventDto(long? ConversationId, string? MessageId);

/// <summary>A message kept apart on arrival: why, where it came from, how big (its raw bytes are at /api/quarantine/{id}/raw).</summary>
public sealed record QuarantineItemDto(long Id, string Mailbox, long Uid, string? MessageId, string Reason, string Detail,
    DateTimeOffset ReceivedAt, long Size, DateTimeOffset? ErasedAt);

/// <summary>
/// What the outer headers of a quarantined message say, read safely: never the body. <c>Readable</c> false (and
/// <c>problem</c> saying why) when the MIME reader refused it.
/// </summary>
public sealed record QuarantineSummaryDto(bool Readable, string? Problem, string? From, IReadOnlyList<string> To, DateTimeOffset? Date,
    string? Subject, string? ContentType, int Parts);

/// <summary>One quarantined message with the summary of its headers (null once its raw bytes were erased).</summary>
public sealed record QuarantineDetailDto(long Id, string Mailbox, long Uid, string? MessageId, string Reason, string Detail,
    DateTimeOffset ReceivedAt, long Size, DateTimeOffset? ErasedAt, QuarantineSummaryDto? Summary);

/// <summary>Source-generated JSON for every type the API reads or writes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageDto))]
[JsonSerializable(typeof(IReadOnlyList<MessageDto>))]
[JsonSerializable(typeof(ConversationDto))]
[JsonSerializable(typeof(IReadOnlyList<ConversationDto>))]
[JsonSerializable(typeof(NewConversationRequest))]
[JsonSerializable(typeof(RetentionRequest))]
[JsonSerializable(typeof(MemberRequest))]
[JsonSerializable(typeof(NewMessageRequest))]
[JsonSerializable(typeof(ReceiptsRequest))]
[JsonSerializable(typeof(ReceiptsResponse))]
[JsonSerializable(typeof(StatusDto))]
[JsonSerializable(typeof(EventDto))]
[JsonSerializable(typeof(SessionLinkDto))]
[JsonSerializable(typeof(List<DirectoryResultDto>))]
[JsonSerializable(typeof(IReadOnlyList<AuditRecordDto>))]
[JsonSerializable(typeof(AuditVerificationDto))]
[JsonSerializable(typeof(IReadOnlyList<QuarantineItemDto>))]
[JsonSerializable(typeof(QuarantineDetailDto))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>Store records to API shapes.</summary>
public static class ApiMapping
{
    /// <summary>A message with its recipients' states and attachments.</summary>
    public static MessageDto ToDto(StoredMessage m, IReadOnlyList<RecipientState> recipients, IReadOnlyList<StoredAttachment> attachments) => new(
        m.Id, m.MessageId, m.Conversation, m.Direction.ToString().ToLowerInvariant(), m.Kind.ToString().ToLowerInvariant(), m.Sender, m.Body,
        m.CreatedAt, m.SentAt, m.ReceivedAt, m.ReadAt, m.ExpiresAt, m.ExpiredAt, m.ContentSha256, m.State.ToString().ToLowerInvariant(), m.Error,
        m.Signature is { } s ? new SignatureDto(s.IsVerified, s.Status.ToString(), s.Detail, s.SignerName, s.SignerRpps, s.Encrypted,
            s.Directory is { } d ? new SignerDirectoryDto(d.Status.ToString().ToLowerInvariant(), d.Detail) : null) : null,
        recipients.Select(r => new RecipientDto(r.Address, r.State.ToString().ToLowerInvariant(), r.Reason, ProtectionName(r.Protection))).ToList(),
        attachments.Select(a => new AttachmentDto(a.Id, a.FileName, a.MediaType, a.Size, a.Width, a.Height, a.ThumbnailBlob is not null, a.RefusedReason)).ToList(),
        ProtectionName(m.Signature is { } received
            ? received.Encrypted ? Protection.EndToEnd : Protection.Transport
            : recipients.Select(r => r.Protection).Max()));

    /// <summary>The API's name of a protection (camelCase, like the rest of the JSON).</summary>
    static string? ProtectionName(Protection? protection) => protection switch
    {
        Protection.EndToEnd => "endToEnd",
        Protection.Transport => "transport",
        _ => null,
    };

    /// <summary>A directory entry with whether a certificate is known for it.</summary>
    public static DirectoryResultDto ToDto(DirectoryEntry e, bool certificateKnown) =>
        new(e.Address, e.DisplayName, e.Profession, e.Specialty, e.City, e.Rpps, e.MailboxType, certificateKnown);

    /// <summary>A conversation with its activity.</summary>
    public static ConversationDto ToDto(Conversation c, int unread, DateTimeOffset? nextExpiry, StoredMessage? last,
        IReadOnlyDictionary<string, string> memberNames) => new(
        c.Id, c.ConversationId, c.Kind.ToString().ToLowerInvariant(), c.Name, c.Membership.Members,
        c.Patient is { } p ? new PatientDto(p.FamilyName, p.GivenNames, p.BirthDate, p.Ins, p.InsOid) : null,
        c.ReadReceipts, (long)c.Retention.Duration.TotalSeconds, c.EndedAt, c.CreatedAt, c.LastMessageAt, unread, nextExpiry,
        last is null ? null : new LastMessageDto(last.Sender, last.Body, last.CreatedAt), memberNames);

    /// <summary>The patient of a request.</summary>
    public static PatientContext? ToPatient(PatientDto? p)
    {
        if (p is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(p.Family) || string.IsNullOrWhiteSpace(p.Given))
        {
            throw new ArgumentException("le patient doit avoir un nom et un prénom");
        }
        return new PatientContext(p.Family.Trim(), p.Given.Trim(), string.IsNullOrWhiteSpace(p.Birth) ? null : p.Birth.Trim(),
            string.IsNullOrWhiteSpace(p.Ins) ? null : p.Ins.Trim(), string.IsNullOrWhiteSpace(p.InsOid) ? null : p.InsOid.Trim());
    }
}
