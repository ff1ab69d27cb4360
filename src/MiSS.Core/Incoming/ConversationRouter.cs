using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Storage;

namespace MiSS.Core.Incoming;

/// <summary>Where a received message goes: its conversation, or the reason it belongs to none.</summary>
public sealed record Route(Conversation? Conversation, string? Rejection)
{
    /// <summary>The message has a conversation.</summary>
    public static Route To(Conversation conversation) => new(conversation, null);

    /// <summary>The message belongs to no conversation it may enter.</summary>
    public static Route Nowhere(string reason) => new(null, reason);
}

/// <summary>
/// Finds the conversation of a received message: by its conversation id (verified MiSS messages only), then by
/// In-Reply-To and References (replies from ordinary mail clients). Only a verified member changes a group's members;
/// a sender who is not a member enters no conversation; unverified messages never create one. The retention a
/// verified member's message carries is merged the same way.
/// </summary>
/// <param name="defaultRetention">The lifetime given to a conversation whose first message does not say (an older MiSS).</param>
public sealed class ConversationRouter(ConversationStore conversations, MessageStore messages, string self, TimeSpan defaultRetention)
{
    /// <summary>Routes a message; applies the group membership it carries when its verified sender may change it.</summary>
    public async Task<Route> RouteAsync(ReceivedMessage message, ProtocolHeaders protocol, bool verified, CancellationToken ct = default)
    {
        var sender = message.Sender;
        if (verified && protocol.ConversationId is { } wireId)
        {
            var known = await conversations.FindAsync(wireId, ct);
            if (known is null)
            {
                return await CreateAsync(wireId, message, protocol, ct);
            }
            if (!known.Membership.Contains(sender))
            {
                return Route.Nowhere($"{sender} n'est pas membre de cette conversation");
            }
            if (known.Kind == ConversationKind.Group && protocol.Members is { } members)
            {
                var merged = await conversations.MergeMembershipAsync(known.Id, members, ct);
                known = known with { Membership = merged };
            }
            if (protocol.Retention is { } retention)
            {
                known = known with { Retention = await conversations.MergeRetentionAsync(known.Id, retention, ct) };
            }
            return Route.To(known);
        }

        if (await messages.ConversationOfAsync(protocol.ThreadIds, ct) is { } id && await conversations.GetAsync(id, ct) is { } threaded)
        {
            return threaded.Membership.Contains(sender)
                ? Route.To(threaded)
                : Route.Nowhere($"{sender} n'est pas membre de la conversation à laquelle ce message répond");
        }
        return Route.Nowhere("message hors de toute conversation");
    }

    async Task<Route> CreateAsync(string wireId, ReceivedMessage message, ProtocolHeaders protocol, CancellationToken ct)
    {
        var at = (message.SentAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds();
        var retention = protocol.Retention ?? new Retention(Retention.Clamp(defaultRetention), 0);
        if (protocol.Members is { } members)
        {
            // A group we hear of for the first time: its sender must be in it, and so must we (or have been).
            if (!members.Contains(message.Sender))
            {
                return Route.Nowhere($"{message.Sender} n'est pas membre du groupe qu'il annonce");
            }
            if (!members.Entries.ContainsKey(self.ToLowerInvariant()))
            {
                return Route.Nowhere("ce groupe ne compte pas cette boîte parmi ses membres");
            }
            return Route.To(await conversations.CreateAsync(wireId, ConversationKind.Group, protocol.GroupName, members, protocol.Patient,
                retention, ct));
        }
        // A direct conversation is the peer and the patient: a second wire id for the same pair (both sides started
        // one at once, or a reinstalled peer) joins the conversation that exists.
        if (await conversations.FindDirectAsync(self, message.Sender, protocol.Patient, ct) is { } existing)
        {
            return Route.To(existing with { Retention = await conversations.MergeRetentionAsync(existing.Id, retention, ct) });
        }
        var direct = GroupMembership.Empty.Add(message.Sender, at).Add(self, at);
        return Route.To(await conversations.CreateAsync(wireId, ConversationKind.Direct, null, direct, protocol.Patient, retention, ct));
    }
}
