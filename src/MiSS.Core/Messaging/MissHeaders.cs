namespace MiSS.Core.Messaging;

/// <summary>Header names and fixed values of the MiSS wire format (docs/protocol.md).</summary>
public static class MissHeaders
{
    /// <summary>Protocol version, inside the signed and encrypted part.</summary>
    public const string Version = "X-MiSS-Version";

    /// <summary>The version this implementation writes.</summary>
    public const string CurrentVersion = "1";

    /// <summary>What the message carries: text, membership or receipt (inside).</summary>
    public const string Kind = "X-MiSS-Kind";

    /// <summary>The conversation's wire id (inside).</summary>
    public const string Conversation = "X-MiSS-Conversation";

    /// <summary>The group's name (inside, groups only).</summary>
    public const string GroupName = "X-MiSS-Group-Name";

    /// <summary>The group's last-write-wins member set (inside, every group message).</summary>
    public const string Members = "X-MiSS-Members";

    /// <summary>The patient the conversation is about (inside only).</summary>
    public const string Patient = "X-MiSS-Patient";

    /// <summary>When the message expires everywhere: its sending time plus the conversation's retention (inside).</summary>
    public const string Expires = "X-MiSS-Expires";

    /// <summary>The conversation's retention and when it was chosen, "seconds; t=ms" (inside, every conversation message).</summary>
    public const string Retention = "X-MiSS-Retention";

    /// <summary>Message-IDs a read receipt covers, space-separated (inside receipts).</summary>
    public const string Read = "X-MiSS-Read";

    /// <summary>
    /// "transport" on a message signed but not encrypted because the recipient's certificate is unknown and the policy
    /// allows it (inside, signed). Receivers judge by what they actually received, not by this header.
    /// </summary>
    public const string Protection = "X-MiSS-Protection";

    /// <summary>The value of <see cref="Protection"/> for a message protected by transport security only.</summary>
    public const string TransportProtection = "transport";

    /// <summary>RFC 8098 read-receipt request (inside).</summary>
    public const string DispositionNotificationTo = "Disposition-Notification-To";

    /// <summary>MSSanté's product reference header, on the outer message.</summary>
    public const string MssNil = "X-MSS-NIL";

    /// <summary>The outer Subject: the real one travels inside the encrypted part only.</summary>
    public const string NeutralSubject = "Message sécurisé";

    /// <summary>
    /// The footer a recipient without MiSS reads under the text, after a signature separator line ("-- ").
    /// MiSS readers take off exactly what the composer appended (<see cref="MessageText.FooterSuffix"/>), nothing more.
    /// </summary>
    public const string Footer = "Message envoyé avec MiSS, messagerie instantanée sécurisée de santé. " +
                                 "Vous pouvez répondre à ce message depuis votre messagerie sécurisée : la réponse rejoindra la conversation.";

    /// <summary>The signature separator that precedes the footer (RFC 3676).</summary>
    public const string FooterSeparator = "-- ";

    /// <summary>The human-readable part of a read receipt.</summary>
    public const string ReceiptText = "Votre message a été lu.";
}
