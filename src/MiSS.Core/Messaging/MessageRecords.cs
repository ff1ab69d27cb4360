using MiSS.Core.Secure;

namespace MiSS.Core.Messaging;

/// <summary>Which way a message went.</summary>
public enum MessageDirection
{
    /// <summary>Written here, sent to others.</summary>
    Outgoing,
    /// <summary>Received from someone.</summary>
    Incoming,
}

/// <summary>Where a message stands as a whole (the per-recipient detail is in <see cref="RecipientState"/>).</summary>
public enum MessageState
{
    /// <summary>Stored in the outbox, not yet accepted by the SMTP server.</summary>
    Queued,
    /// <summary>Accepted by the SMTP server.</summary>
    Sent,
    /// <summary>Could not be sent; the reason is kept.</summary>
    Failed,
    /// <summary>Received, opened and stored.</summary>
    Received,
}

/// <summary>What a message carries (X-MiSS-Kind).</summary>
public enum MessageKind
{
    /// <summary>A chat message.</summary>
    Text,
    /// <summary>A change of the group's members (it may carry text too).</summary>
    Membership,
    /// <summary>A read receipt (RFC 8098 MDN); never shown as a chat message.</summary>
    Receipt,
    /// <summary>A change of the conversation's retention (X-MiSS-Retention), with a human-readable text.</summary>
    Retention,
    /// <summary>A member ended the conversation early: every message of it is erased everywhere.</summary>
    End,
}

/// <summary>How far a sent message got with one recipient.</summary>
public enum DeliveryState
{
    /// <summary>Not yet accepted by our SMTP server.</summary>
    Queued,
    /// <summary>Accepted by our SMTP server.</summary>
    Sent,
    /// <summary>A delivery report (RFC 3464) says it reached the mailbox.</summary>
    Delivered,
    /// <summary>A read receipt (RFC 8098) says the recipient displayed it.</summary>
    Read,
    /// <summary>Refused or bounced; the reason is kept.</summary>
    Failed,
}

/// <summary>How a message was protected on its way to a recipient.</summary>
public enum Protection
{
    /// <summary>Signed and encrypted for the recipient's certificate (S/MIME): only the recipient can read it.</summary>
    EndToEnd,
    /// <summary>
    /// Signed but not encrypted: the recipient's certificate was unknown and the policy allowed relying on the MSSanté
    /// space's TLS (MiSS:Security:AllowTransportOnly). Mail servers on the way can read it.
    /// </summary>
    Transport,
}

/// <summary>How a verified signer compares with the directory entry of the sender address (stored by name in the JSON).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DirectoryCheckStatus>))]
public enum DirectoryCheckStatus
{
    /// <summary>The same practitioner: same RPPS, or (without an RPPS on one side) the same name.</summary>
    Match,
    /// <summary>Another practitioner: the RPPS differ, or the names do.</summary>
    Mismatch,
    /// <summary>No entry for the address (or no directory imported), or one that names no person to compare with.</summary>
    Absent,
}

/// <summary>The outcome of the comparison and what it is about, in French for the practitioner.</summary>
public sealed record DirectoryCheck(DirectoryCheckStatus Status, string Detail);

/// <summary>A certificate known for an address, where it came from (signature, annuaire, import) and when.</summary>
public sealed record KnownCertificate(string Address, System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate, string Source,
    DateTimeOffset LearnedAt);

/// <summary>The state of a sent message for one recipient.</summary>
/// <param name="Protection">How it went to this recipient; null until sent.</param>
public sealed record RecipientState(string Address, DeliveryState State, string? Reason, DateTimeOffset UpdatedAt, Protection? Protection = null);

/// <summary>What the signature check said about a received message, as stored.</summary>
/// <param name="Status">Verified or the precise failure.</param>
/// <param name="Detail">The reason in French, as shown to the practitioner.</param>
/// <param name="SignerName">The name in the signer's certificate.</param>
/// <param name="SignerRpps">The RPPS in the signer's certificate.</param>
/// <param name="Encrypted">True when the message arrived encrypted.</param>
/// <param name="Directory">For a verified signature: how the signer's identity compares with the national directory's
/// entry for the sender address (absent from rows stored before this check).</param>
public sealed record SignatureRecord(OpenStatus Status, string Detail, string? SignerName, string? SignerRpps, bool Encrypted,
    DirectoryCheck? Directory = null)
{
    /// <summary>True when the signer is verified.</summary>
    public bool IsVerified => Status == OpenStatus.Verified;
}

/// <summary>An attachment ready to be stored: already checked, and for photos already processed (metadata stripped).</summary>
/// <param name="FileName">Sanitised file name.</param>
/// <param name="MediaType">The type its bytes really are.</param>
/// <param name="Content">The bytes.</param>
/// <param name="Thumbnail">A small JPEG for lists (photos only).</param>
/// <param name="RefusedReason">For an incoming attachment that failed the checks: why (its bytes are not kept).</param>
public sealed record NewAttachment(string FileName, string MediaType, byte[] Content, byte[]? Thumbnail = null, int? Width = null,
    int? Height = null, string? RefusedReason = null);

/// <summary>An attachment as the store keeps it (its bytes are read with <c>MessageStore.ReadAttachment</c>).</summary>
public sealed record StoredAttachment(long Id, int Position, string FileName, string MediaType, long Size, string Sha256, string? Blob,
    string? ThumbnailBlob, int? Width, int? Height, string? RefusedReason)
{
    /// <summary>True when the attachment was refused on arrival (nothing stored but its description and reason).</summary>
    public bool IsRefused => RefusedReason is not null;
}

/// <summary>A message as the store keeps it.</summary>
public sealed record StoredMessage(
    long Id,
    string MessageId,
    MessageDirection Direction,
    string Sender,
    IReadOnlyList<string> Recipients,
    string? Subject,
    string Body,
    MessageState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? ReceivedAt,
    SignatureRecord? Signature,
    string? Error,
    int Attempts,
    long? Conversation = null,
    MessageKind Kind = MessageKind.Text,
    string? InReplyTo = null,
    IReadOnlyList<string>? References = null,
    DateTimeOffset? ReadAt = null,
    DateTimeOffset? ExpiresAt = null,
    DateTimeOffset? ExpiredAt = null,
    string? ContentSha256 = null)
{
    /// <summary>True when the content was erased: only the trace (tombstone) is left.</summary>
    public bool IsExpired => ExpiredAt is not null;
}

/// <summary>What to put in the outbox.</summary>
/// <param name="Sender">The mailbox sending.</param>
/// <param name="Recipients">Every recipient (the sender excluded).</param>
/// <param name="Subject">The real subject (travels in the protected headers only).</param>
/// <param name="Body">The text.</param>
/// <param name="Conversation">The local conversation id, if any.</param>
/// <param name="Kind">What the message carries.</param>
/// <param name="InReplyTo">Message-ID this one answers.</param>
/// <param name="References">Message-IDs of the thread, oldest first.</param>
public sealed record OutgoingDraft(
    string Sender,
    IReadOnlyList<string> Recipients,
    string? Subject,
    string Body,
    long? Conversation = null,
    MessageKind Kind = MessageKind.Text,
    string? InReplyTo = null,
    IReadOnlyList<string>? References = null,
    IReadOnlyList<NewAttachment>? Attachments = null);

/// <summary>A message just received and opened, ready to be stored.</summary>
public sealed record ReceivedMessage(
    string MessageId,
    string Sender,
    string? SenderDisplayName,
    IReadOnlyList<string> Recipients,
    string? Subject,
    string Body,
    DateTimeOffset? SentAt,
    SignatureRecord Signature,
    long? Conversation = null,
    MessageKind Kind = MessageKind.Text,
    string? InReplyTo = null,
    IReadOnlyList<string>? References = null,
    IReadOnlyList<NewAttachment>? Attachments = null,
    DateTimeOffset? ExpiresAt = null);

/// <summary>A message kept apart on arrival, as listed (its raw bytes are read on their own).</summary>
/// <param name="Id">Its number in the quarantine.</param>
/// <param name="Mailbox">The folder it was read from.</param>
/// <param name="Uid">Its IMAP UID there.</param>
/// <param name="MessageId">Its Message-ID when it could be read (as the sender wrote it: not trustworthy).</param>
/// <param name="Reason">The machine reason (an <c>OpenStatus</c> name, <c>NotInConversation</c>, <c>UnmatchedReport</c>).</param>
/// <param name="Detail">Why, in French.</param>
/// <param name="ReceivedAt">When it was quarantined.</param>
/// <param name="Size">The size of its raw bytes; 0 once they are erased.</param>
/// <param name="ErasedAt">When its raw bytes were erased at the end of the quarantine's retention.</param>
public sealed record QuarantinedMessage(long Id, string Mailbox, uint Uid, string? MessageId, string Reason, string Detail,
    DateTimeOffset ReceivedAt, long Size, DateTimeOffset? ErasedAt);
