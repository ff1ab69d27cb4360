namespace MiSS.Core.Audit;

/// <summary>The kinds of audit events: short English identifiers, stable because administrators and tools filter on them.</summary>
public static class AuditKinds
{
    /// <summary>The SMTP server accepted an outgoing message.</summary>
    public const string MessageSent = "message.sent";

    /// <summary>An outgoing message failed for good (no certificate for anyone, refused by the server).</summary>
    public const string MessageSendFailed = "message.send-failed";

    /// <summary>A message was opened and stored in a conversation.</summary>
    public const string MessageReceived = "message.received";

    /// <summary>A verified signer is not who the national directory names for the sender address (the message is kept).</summary>
    public const string SignerDirectoryMismatch = "message.signer-directory-mismatch";

    /// <summary>An incoming message was kept apart, with its reason.</summary>
    public const string MessageQuarantined = "message.quarantined";

    /// <summary>A message's content was erased here at its expiry.</summary>
    public const string MessageExpired = "message.expired";

    /// <summary>The raw bytes of quarantined messages were erased at the end of their retention.</summary>
    public const string QuarantineErased = "quarantine.erased";

    /// <summary>The raw bytes of a quarantined message were downloaded through the local API.</summary>
    public const string QuarantineDownloaded = "quarantine.downloaded";

    /// <summary>A conversation left the machine as a FHIR export (API or command line).</summary>
    public const string ConversationExported = "conversation.exported";

    /// <summary>A conversation was ended for everyone, here or by another member.</summary>
    public const string ConversationEnded = "conversation.ended";

    /// <summary>A conversation's retention was changed from here.</summary>
    public const string RetentionChanged = "retention.changed";

    /// <summary>A token of the local API was created.</summary>
    public const string TokenCreated = "token.created";

    /// <summary>A token of the local API was revoked.</summary>
    public const string TokenRevoked = "token.revoked";
}
