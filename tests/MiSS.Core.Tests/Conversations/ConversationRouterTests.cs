using MiSS.Core.Conversations;
using MiSS.Core.Incoming;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.Conversations;

/// <summary>The routing rules on a real store: who may enter which conversation, and who may change a group.</summary>
public class ConversationRouterTests
{
    const string Self = "claire@x.test";
    const string Julien = "julien@x.test";
    const string Sophie = "sophie@x.test";
    const string Stranger = "intrus@x.test";

    string _directory = "";
    ConversationStore _conversations = null!;
    MessageStore _messages = null!;
    ConversationRouter _router = null!;
    static readonly Retention Week = new(TimeSpan.FromDays(7), 0);

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-router-").FullName;
        var db = StoreDatabase.Open(Path.Combine(_directory, "miss.db"));
        _conversations = new ConversationStore(db, TimeProvider.System);
        _messages = new MessageStore(db, BlobStore.Open(_directory), TimeProvider.System);
        _router = new ConversationRouter(_conversations, _messages, Self, TimeSpan.FromDays(7));
    }

    [TearDown]
    public void Clean()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    static ReceivedMessage From(string sender, string? inReplyTo = null) =>
        new($"{Guid.NewGuid():N}@x.test", sender, null, [Self], null, "texte", DateTimeOffset.UtcNow,
            new SignatureRecord(OpenStatus.Verified, "", null, null, true), InReplyTo: inReplyTo);

    static ProtocolHeaders Headers(string? conversationId, GroupMembership? members = null, string? inReplyTo = null, string? name = null) =>
        new("1", members is null ? MessageKind.Text : MessageKind.Membership, conversationId, null, null, name, members, null, null, [], inReplyTo, []);

    async Task<Conversation> GroupAsync(params string[] members)
    {
        var state = members.Aggregate(GroupMembership.Empty, (s, m) => s.Add(m, 10));
        return await _conversations.CreateAsync(ConversationStore.NewConversationId(), ConversationKind.Group, "Équipe", state, null, Week);
    }

    [Test]
    public async Task A_verified_member_changes_the_group()
    {
        var group = await GroupAsync(Self, Julien, Sophie);

        var route = await _router.RouteAsync(From(Julien), Headers(group.ConversationId, group.Membership.Remove(Sophie, 20)), verified: true);

        Assert.That(route.Conversation!.Id, Is.EqualTo(group.Id));
        Assert.That((await _conversations.GetAsync(group.Id))!.Membership.Members, Is.EqualTo(new[] { Self, Julien }));
    }

    [Test]
    public async Task A_verified_non_member_can_neither_write_in_nor_change_the_group()
    {
        var group = await GroupAsync(Self, Julien);

        var route = await _router.RouteAsync(From(Stranger), Headers(group.ConversationId, group.Membership.Add(Stranger, 20).Remove(Julien, 20)),
            verified: true);

        Assert.That(route.Conversation, Is.Null);
        Assert.That(route.Rejection, Does.Contain(Stranger));
        Assert.That((await _conversations.GetAsync(group.Id))!.Membership.Members, Is.EqualTo(new[] { Self, Julien }));
    }

    [Test]
    public async Task An_unverified_message_neither_creates_a_conversation_nor_changes_members()
    {
        var group = await GroupAsync(Self, Julien);
        var unknownGroup = GroupMembership.Empty.Add(Julien, 5).Add(Self, 5);

        var intoNew = await _router.RouteAsync(From(Julien), Headers(ConversationStore.NewConversationId(), unknownGroup), verified: false);
        var intoKnown = await _router.RouteAsync(From(Julien), Headers(group.ConversationId, group.Membership.Remove(Self, 99)), verified: false);

        Assert.That(intoNew.Conversation, Is.Null);
        Assert.That(intoKnown.Conversation, Is.Null, "without threading ids, an unverified message belongs nowhere");
        Assert.That(await _conversations.ListAsync(), Has.Count.EqualTo(1));
        Assert.That((await _conversations.GetAsync(group.Id))!.Membership.Contains(Self), Is.True);
    }

    [Test]
    public async Task A_reply_without_MiSS_headers_finds_its_conversation_by_In_Reply_To_if_its_sender_is_a_member()
    {
        var group = await GroupAsync(Self, Julien);
        var sent = await _messages.EnqueueAsync(new OutgoingDraft(Self, [Julien], "Équipe", "question", group.Id));

        var fromMember = await _router.RouteAsync(From(Julien, sent.MessageId), Headers(null, inReplyTo: sent.MessageId), verified: false);
        var fromStranger = await _router.RouteAsync(From(Stranger, sent.MessageId), Headers(null, inReplyTo: sent.MessageId), verified: true);

        Assert.That(fromMember.Conversation!.Id, Is.EqualTo(group.Id));
        Assert.That(fromStranger.Conversation, Is.Null);
    }

    [Test]
    public async Task A_group_heard_of_for_the_first_time_is_created_only_if_it_lists_this_mailbox_and_its_sender()
    {
        var withUs = GroupMembership.Empty.Add(Julien, 5).Add(Self, 5);
        var withoutUs = GroupMembership.Empty.Add(Julien, 5).Add(Sophie, 5);
        var withoutSender = GroupMembership.Empty.Add(Self, 5).Add(Sophie, 5);

        var created = await _router.RouteAsync(From(Julien), Headers("aa01", withUs, name: "Nouveau"), verified: true);
        var notForUs = await _router.RouteAsync(From(Julien), Headers("aa02", withoutUs), verified: true);
        var senderOutside = await _router.RouteAsync(From(Julien), Headers("aa03", withoutSender), verified: true);

        Assert.That(created.Conversation!.Name, Is.EqualTo("Nouveau"));
        Assert.That(created.Conversation.Kind, Is.EqualTo(ConversationKind.Group));
        Assert.That(notForUs.Conversation, Is.Null);
        Assert.That(senderOutside.Conversation, Is.Null);
    }

    [Test]
    public async Task Two_wire_ids_for_the_same_direct_pair_make_one_conversation()
    {
        var first = await _router.RouteAsync(From(Julien), Headers("bb01"), verified: true);
        var second = await _router.RouteAsync(From(Julien), Headers("bb02"), verified: true);

        Assert.That(second.Conversation!.Id, Is.EqualTo(first.Conversation!.Id));
        Assert.That(await _conversations.ListAsync(), Has.Count.EqualTo(1));
    }
}
