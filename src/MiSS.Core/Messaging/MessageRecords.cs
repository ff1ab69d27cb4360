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

/// <summary>Where a message stands.</summary>
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

/// <summary>What the signature check said about a received message, as stored.</summary>
/// <param name="Status">Verified or the precise failure.</param>
/// <param name="Detail">The reason in French, as shown to the practitioner.</param>
/// <param name="SignerName">The name in the signer's certificate.</param>
/// <param name="SignerRpps">The RPPS in the signer's certificate.</param>
/// <param name="Encrypted">True when the message arrived encrypted.</param>
public sealed record SignatureRecord(OpenStatus Status, string Detail, string? SignerName, string? SignerRpps, bool Encrypted)
{
    /// <summary>True when the signer is verified.</summary>
    public bool IsVerified => Status == OpenStatus.Verified;
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
    int Attempts);

/// <summary>A message just received and opened, ready to be stored.</summary>
public sealed record ReceivedMessage(
    string MessageId,
    string Sender,
    string? SenderDisplayName,
    IReadOnlyList<string> Recipients,
    string? Subject,
    string Body,
    DateTimeOffset? SentAt,
    SignatureRecord Signature);
