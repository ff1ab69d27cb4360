namespace MiSS.Core.Conversations;

/// <summary>One-to-one or a named group.</summary>
public enum ConversationKind
{
    /// <summary>Two practitioners.</summary>
    Direct,
    /// <summary>A named group whose members change over time.</summary>
    Group,
}

/// <summary>A conversation as the store keeps it.</summary>
/// <param name="Id">Local id.</param>
/// <param name="ConversationId">The wire id shared by every side (X-MiSS-Conversation).</param>
/// <param name="Kind">Direct or group.</param>
/// <param name="Name">The group's name (null for direct conversations).</param>
/// <param name="Membership">The members, as a last-write-wins set.</param>
/// <param name="Patient">The patient it is about, if any.</param>
/// <param name="ReadReceipts">Whether read receipts are asked for and sent in this conversation.</param>
/// <param name="Retention">How long its messages live.</param>
/// <param name="EndedAt">When a member ended it early ("expire now"): its messages are erased and nothing more is sent in it.</param>
public sealed record Conversation(
    long Id,
    string ConversationId,
    ConversationKind Kind,
    string? Name,
    GroupMembership Membership,
    PatientContext? Patient,
    bool ReadReceipts,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastMessageAt,
    Retention Retention,
    DateTimeOffset? EndedAt = null)
{
    /// <summary>True when a member ended the conversation.</summary>
    public bool IsEnded => EndedAt is not null;

    /// <summary>The current members other than <paramref name="self"/>: the recipients of a new message.</summary>
    public IReadOnlyList<string> OthersThan(string self) =>
        Membership.Members.Where(m => !m.Equals(self, StringComparison.OrdinalIgnoreCase)).ToList();
}
