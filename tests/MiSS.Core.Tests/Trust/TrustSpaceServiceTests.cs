using MiSS.Core.Audit;
using MiSS.Core.Conversations;
using MiSS.Core.Events;
using MiSS.Core.Expiry;
using MiSS.Core.Outgoing;
using MiSS.Core.Storage;
using MiSS.Core.Trust;

namespace MiSS.Core.Tests.Trust;

/// <summary>The conversation service on a real store: an address outside the trust space leaves nothing behind.</summary>
public class TrustSpaceServiceTests
{
    const string Claire = "claire.martin@dev.mssante.test";
    const string Julien = "julien.bernard@dev.mssante.test";

    string _directory = "";
    StoreDatabase _db = null!;
    ConversationStore _conversations = null!;
    MessageStore _messages = null!;
    ConversationService _service = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-trust-").FullName;
        var clock = new ManualClock();
        _db = StoreDatabase.Open(Path.Combine(_directory, "miss.db"));
        var blobs = BlobStore.Open(_directory);
        _conversations = new ConversationStore(_db, clock);
        _messages = new MessageStore(_db, blobs, clock);
        _service = new ConversationService(_conversations, _messages, new ExpiryStore(_db, blobs, clock), new OutboxSignal(), new ExpirySignal(),
            new MissEvents(), new AuditTrail(_db, clock), Claire, TimeSpan.FromDays(7),
            new TrustSpace(WhiteList.Development(), ["apicrypt.example.org"]), clock);
    }

    [TearDown]
    public void Clean()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Starting_a_conversation_or_a_group_outside_the_trust_space_is_refused_and_stores_nothing()
    {
        var e = await Assert.ThrowsAsync<OutsideTrustSpaceException>(() => _service.StartDirectAsync("someone@gmail.com"));
        Assert.That(e!.Message, Does.Contain("someone@gmail.com n'appartient pas à l'espace de confiance MSSanté"));
        await Assert.ThrowsAsync<OutsideTrustSpaceException>(() => _service.CreateGroupAsync("Sortie de M. L.", [Julien, "someone@gmail.com"]));

        Assert.That(await _conversations.ListAsync(), Is.Empty);
        Assert.That(await _messages.ListAsync(100), Is.Empty);
    }

    [Test]
    public async Task Adding_a_member_outside_the_trust_space_is_refused_before_the_membership_changes()
    {
        var group = await _service.CreateGroupAsync("Sortie de M. L.", [Julien]);

        await Assert.ThrowsAsync<OutsideTrustSpaceException>(() => _service.AddMemberAsync(group.Id, "someone@gmail.com"));

        var stored = (await _conversations.GetAsync(group.Id))!;
        Assert.That(stored.Membership.Members, Is.EquivalentTo(new[] { Claire, Julien }));
        Assert.That(await _messages.ListAsync(100), Is.Empty);
    }

    [Test]
    public async Task A_configured_apicrypt_domain_and_a_listed_domain_are_accepted()
    {
        var direct = await _service.StartDirectAsync("dr.x@Apicrypt.Example.org");
        var group = await _service.CreateGroupAsync("Coordination", [Julien]);
        await _service.AddMemberAsync(group.Id, "dr.x@apicrypt.example.org");

        Assert.That(await _conversations.ListAsync(), Has.Count.EqualTo(2));
        Assert.That(direct.Kind, Is.EqualTo(ConversationKind.Direct));
    }
}
