using MiSS.Core.Expiry;
using MiSS.Core.Messaging;
using MiSS.Core.Outgoing;
using MiSS.Core.Storage;

namespace MiSS.Core.Conversations;

/// <summary>
/// What a practitioner does with conversations: start one, write in it, change a group's members, read. Every change
/// is stored first, then queued as a message to the members (the outbox seals and sends it).
/// </summary>
/// <param name="defaultRetention">The lifetime of messages in the conversations this side creates.</param>
/// <param name="trustSpace">The domains messages may go to: any other address is refused before anything is stored.</param>
/// <param name="certificates">
/// When set, a text to a conversation where no member has a known certificate is refused at once (rather than failing
/// in the outbox), unless <paramref name="allowTransportOnly"/>.
/// </param>
public sealed class ConversationService(
    ConversationStore conversations,
    MessageStore messages,
    ExpiryStore expiries,
    OutboxSignal outbox,
    ExpirySignal expiry,
    Events.MissEvents events,
    Audit.AuditTrail audit,
    string self,
    TimeSpan defaultRetention,
    Trust.TrustSpace trustSpace,
    TimeProvider time,
    Secure.RecipientCertificates? certificates = null,
    bool allowTransportOnly = false)
{
    /// <summary>How many earlier Message-IDs a message lists in References (the first of the thread and the latest ones).</summary>
    const int ReferencesKept = 10;

    /// <summary>The direct conversation with <paramref name="peer"/> about <paramref name="patient"/>, created when there is none.</summary>
    public async Task<Conversation> StartDirectAsync(string peer, PatientContext? patient = null, CancellationToken ct = default)
    {
        trustSpace.Require(peer);
        if (await conversations.FindDirectAsync(self, peer, patient, ct) is { } existing)
        {
            return existing;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var members = GroupMembership.Empty.Add(self, now).Add(peer, now);
        return await conversations.CreateAsync(ConversationStore.NewConversationId(), ConversationKind.Direct, null, members, patient,
            NewRetention(now), ct);
    }

    /// <summary>Creates a named group with its first members (the creator included).</summary>
    public async Task<Conversation> CreateGroupAsync(string name, IReadOnlyCollection<string> members, PatientContext? patient = null,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("un groupe doit avoir un nom", nameof(name));
        }
        foreach (var member in members)
        {
            trustSpace.Require(member);
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var membership = members.Append(self).Aggregate(GroupMembership.Empty, (state, m) => state.Add(m, now));
        return await conversations.CreateAsync(ConversationStore.NewConversationId(), ConversationKind.Group, name.Trim(), membership, patient,
            NewRetention(now), ct);
    }

    /// <summary>Writes a message (text, and attachments already prepared by <c>AttachmentPolicy</c>) to every current member.</summary>
    public async Task<StoredMessage> SendTextAsync(long conversationId, string text, IReadOnlyList<NewAttachment>? attachments = null,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(text) && attachments is not { Count: > 0 })
        {
            throw new ArgumentException("le message est vide", nameof(text));
        }
        var conversation = await RequireOpenMemberAsync(conversationId, ct);
        var recipients = conversation.OthersThan(self);
        await RequireSomeCertificateAsync(recipients, ct);
        return await QueueAsync(conversation, recipients, text, MessageKind.Text, ct, attachments);
    }

    /// <summary>
    /// Refuses a message none of whose recipients could open: better said now than shown failed a moment later. With some
    /// certificates known, the message goes and only the others are told apart (per recipient, by the outbox).
    /// </summary>
    async Task RequireSomeCertificateAsync(IReadOnlyList<string> recipients, CancellationToken ct)
    {
        if (certificates is null || allowTransportOnly || recipients.Count == 0 || (await certificates.WithCertificateAsync(recipients, ct)).Count > 0)
        {
            return;
        }
        throw new Secure.RecipientCertificateMissingException(recipients);
    }

    /// <summary>
    /// Changes how long the conversation's messages live, for every member: recorded now, announced in a message of its
    /// own. It applies to the messages sent after it; those already sent keep the expiry they carry.
    /// </summary>
    public async Task<StoredMessage> SetRetentionAsync(long conversationId, TimeSpan duration, CancellationToken ct = default)
    {
        if (!Retention.IsAllowed(duration))
        {
            throw new ArgumentException(
                $"durée de conservation impossible : entre {Retention.Describe(Retention.Minimum)} et {Retention.Describe(Retention.Maximum)}",
                nameof(duration));
        }
        var conversation = await RequireOpenMemberAsync(conversationId, ct);
        var retention = await conversations.MergeRetentionAsync(conversation.Id,
            new Retention(duration, time.GetUtcNow().ToUnixTimeMilliseconds()), ct);
        var updated = conversation with { Retention = retention };
        var notice = await QueueAsync(updated, updated.OthersThan(self),
            $"{self} a fixé la durée de conservation des messages à {Retention.Describe(retention.Duration)}.", MessageKind.Retention, ct);
        await audit.AppendAsync(Audit.AuditKinds.RetentionChanged, notice.MessageId, conversation.Id, self,
            $"conservation {(long)retention.Duration.TotalSeconds} s", ct);
        return notice;
    }

    /// <summary>
    /// Ends the conversation early, for everyone ("expire now"): its messages are erased here at once (store, files,
    /// server copies), the other members are told and do the same, and nothing more is sent in it. The message that
    /// announces the end is the only one left, for its normal lifetime.
    /// </summary>
    public async Task<StoredMessage?> EndAsync(long conversationId, CancellationToken ct = default)
    {
        var conversation = await RequireOpenMemberAsync(conversationId, ct);
        var others = conversation.OthersThan(self);
        var notice = others.Count == 0 ? null
            : await QueueAsync(conversation, others, $"{self} a mis fin à la conversation : ses messages sont effacés.", MessageKind.End, ct);
        await expiries.ExpireConversationNowAsync(conversation.Id, notice?.Id, ct);
        await conversations.EndAsync(conversation.Id, time.GetUtcNow(), ct);
        await audit.AppendAsync(Audit.AuditKinds.ConversationEnded, notice?.MessageId, conversation.Id, self, "terminée ici pour tous", ct);
        expiry.Notify();
        events.Publish(new Events.MissEvent(Events.MissEventKind.Conversation, conversation.Id));
        return notice;
    }

    /// <summary>Adds a member to a group: recorded now, announced to every member including the new one.</summary>
    public async Task<StoredMessage> AddMemberAsync(long conversationId, string address, CancellationToken ct = default)
    {
        trustSpace.Require(address);
        var conversation = await RequireGroupMemberAsync(conversationId, ct);
        var membership = await conversations.MergeMembershipAsync(conversation.Id,
            GroupMembership.Empty.Add(address, time.GetUtcNow().ToUnixTimeMilliseconds()), ct);
        var updated = conversation with { Membership = membership };
        return await QueueAsync(updated, updated.OthersThan(self), $"{self} a ajouté {address} au groupe.", MessageKind.Membership, ct);
    }

    /// <summary>
    /// Removes a member from a group: recorded now, announced to the remaining members and to the removed one (so that
    /// their side knows); nothing is sent to them afterwards.
    /// </summary>
    public async Task<StoredMessage> RemoveMemberAsync(long conversationId, string address, CancellationToken ct = default)
    {
        var conversation = await RequireGroupMemberAsync(conversationId, ct);
        var membership = await conversations.MergeMembershipAsync(conversation.Id,
            GroupMembership.Empty.Remove(address, time.GetUtcNow().ToUnixTimeMilliseconds()), ct);
        var updated = conversation with { Membership = membership };
        var recipients = updated.OthersThan(self).Append(address).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return await QueueAsync(updated, recipients, $"{self} a retiré {address} du groupe.", MessageKind.Membership, ct);
    }

    /// <summary>
    /// Marks received messages as read and, where their conversation asks for receipts, queues one receipt per sender
    /// for the whole batch.
    /// </summary>
    public async Task<int> MarkReadAsync(IEnumerable<string> messageIds, CancellationToken ct = default)
    {
        var read = await messages.MarkReadAsync(messageIds, ct);
        var batches = read.Where(m => m.Kind != MessageKind.Receipt && m.Conversation is not null)
            .GroupBy(m => (m.Sender.ToLowerInvariant(), m.Conversation!.Value));
        foreach (var batch in batches)
        {
            var conversation = await conversations.GetAsync(batch.Key.Item2, ct);
            if (conversation is not { ReadReceipts: true })
            {
                continue;
            }
            var ids = string.Join(' ', batch.Select(m => $"<{m.MessageId}>"));
            await messages.EnqueueAsync(new OutgoingDraft(self, [batch.First().Sender], "Accusé de lecture", ids, conversation.Id,
                MessageKind.Receipt, InReplyTo: batch.Last().MessageId), ct);
        }
        outbox.Notify();
        return read.Count;
    }

    /// <summary>Turns read receipts on or off for a conversation (both asking for them and sending them).</summary>
    public Task SetReadReceiptsAsync(long conversationId, bool enabled, CancellationToken ct = default) =>
        conversations.SetReadReceiptsAsync(conversationId, enabled, ct);

    async Task<StoredMessage> QueueAsync(Conversation conversation, IReadOnlyList<string> recipients, string text, MessageKind kind,
        CancellationToken ct, IReadOnlyList<NewAttachment>? attachments = null)
    {
        if (recipients.Count == 0)
        {
            throw new InvalidOperationException("la conversation n'a pas d'autre membre");
        }
        var references = await messages.ThreadReferencesAsync(conversation.Id, ReferencesKept, ct);
        var message = await messages.EnqueueAsync(new OutgoingDraft(self, recipients, conversation.Name, text, conversation.Id, kind,
            references.LastOrDefault(), references, attachments), ct);
        await conversations.TouchAsync(conversation.Id, message.CreatedAt, ct);
        outbox.Notify();
        events.Publish(new Events.MissEvent(Events.MissEventKind.Message, conversation.Id, message.MessageId));
        if (kind is MessageKind.Membership or MessageKind.Retention)
        {
            events.Publish(new Events.MissEvent(Events.MissEventKind.Conversation, conversation.Id));
        }
        return message;
    }

    async Task<Conversation> RequireConversationAsync(long id, CancellationToken ct) =>
        await conversations.GetAsync(id, ct) ?? throw new ArgumentException($"conversation {id} inconnue");

    async Task<Conversation> RequireOpenMemberAsync(long id, CancellationToken ct)
    {
        var conversation = await RequireConversationAsync(id, ct);
        if (conversation.IsEnded)
        {
            throw new InvalidOperationException("cette conversation est terminée");
        }
        if (!conversation.Membership.Contains(self))
        {
            throw new InvalidOperationException("vous ne faites plus partie de cette conversation");
        }
        return conversation;
    }

    Retention NewRetention(long now) => new(Retention.Clamp(defaultRetention), now);

    async Task<Conversation> RequireGroupMemberAsync(long id, CancellationToken ct)
    {
        var conversation = await RequireOpenMemberAsync(id, ct);
        if (conversation.Kind != ConversationKind.Group)
        {
            throw new InvalidOperationException("les membres ne changent que dans un groupe");
        }
        return conversation;
    }
}
