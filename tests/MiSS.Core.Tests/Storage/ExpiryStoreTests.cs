using System.Security.Cryptography;
using System.Text;
using MiSS.Core.Audit;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.Storage;

/// <summary>Erasure on real SQLite files: the bytes really leave the database and its log; the trace stays.</summary>
public class ExpiryStoreTests
{
    const string Claire = "claire@x.test";
    const string Julien = "julien@x.test";
    static readonly TimeSpan Week = TimeSpan.FromDays(7);

    string _directory = "";
    ManualClock _clock = null!;
    StoreDatabase _db = null!;
    BlobStore _blobs = null!;
    MessageStore _messages = null!;
    ExpiryStore _expiries = null!;
    long _conversation;

    [SetUp]
    public async Task Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-expiry-").FullName;
        _clock = new ManualClock();
        _db = StoreDatabase.Open(Path.Combine(_directory, "miss.db"));
        _blobs = BlobStore.Open(_directory);
        _messages = new MessageStore(_db, _blobs, _clock);
        _expiries = new ExpiryStore(_db, _blobs, _clock);
        var conversations = new ConversationStore(_db, _clock);
        _conversation = (await conversations.CreateAsync(ConversationStore.NewConversationId(), ConversationKind.Direct, null,
            GroupMembership.Empty.Add(Claire, 1).Add(Julien, 1), null, new Retention(Week, 1))).Id;
    }

    [TearDown]
    public void Clean()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    static string Marker() => "MARQUEUR-" + Guid.NewGuid().ToString("N");

    async Task<StoredMessage> ReceiveAsync(string text, byte[]? photo = null, DateTimeOffset? expires = null)
    {
        var received = new ReceivedMessage($"{Guid.NewGuid():N}@x.test", Julien, null, [Claire], "Plaie", text, _clock.GetUtcNow(),
            new SignatureRecord(OpenStatus.Verified, "signature vérifiée", "Julien BERNARD", "10101234572", true), _conversation,
            Attachments: photo is null ? null : [new NewAttachment("plaie.jpg", "image/jpeg", photo, Thumbnail: photo[..100])],
            ExpiresAt: expires ?? _clock.GetUtcNow() + Week);
        Assert.That(await _messages.SaveReceivedAsync(received), Is.True);
        return (await _messages.GetAsync(received.MessageId))!;
    }

    /// <summary>Every file of the data folder that holds the marker (the database, its log, blobs...).</summary>
    IEnumerable<string> FilesContaining(string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        return Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)
            .Select(Path.GetFileName)!;
    }

    [Test]
    public async Task An_expired_message_leaves_its_tombstone_and_nothing_of_its_content()
    {
        var marker = Marker();
        var photo = RandomNumberGenerator.GetBytes(4000);
        var message = await ReceiveAsync($"Plaie du talon, {marker}, qu'en pensez-vous ?", photo);
        var attachment = (await _messages.AttachmentsAsync(message.Id)).Single();
        Assert.That(FilesContaining(marker), Is.Not.Empty, "the text is in the store before it expires (else the search proves nothing)");
        Assert.That(_blobs.Exists(attachment.Blob!) && _blobs.Exists(attachment.ThumbnailBlob!), Is.True);

        _clock.Advance(Week + TimeSpan.FromSeconds(1));
        Assert.That(await _expiries.EraseDueAsync(), Has.Count.EqualTo(1));
        Assert.That(await _expiries.CheckpointAsync(), Is.True);

        Assert.That(FilesContaining(marker), Is.Empty, "no file of the data folder (database, -wal, blobs) still holds the text");
        Assert.That(_blobs.Exists(attachment.Blob!) || _blobs.Exists(attachment.ThumbnailBlob!), Is.False);
        Assert.That(await _messages.AttachmentsAsync(message.Id), Is.Empty);
        var tombstone = (await _messages.GetAsync(message.MessageId))!;
        Assert.Multiple(() =>
        {
            Assert.That(tombstone.IsExpired, Is.True);
            Assert.That(tombstone.Body, Is.Empty);
            Assert.That(tombstone.Subject, Is.Null);
            Assert.That(tombstone.Sender, Is.EqualTo(Julien));
            Assert.That(tombstone.Recipients, Is.EqualTo(new[] { Claire }));
            Assert.That(tombstone.Conversation, Is.EqualTo(_conversation));
            Assert.That(tombstone.Signature!.SignerRpps, Is.EqualTo("10101234572"));
            Assert.That(tombstone.ContentSha256, Is.EqualTo(ExpiryStore.ContentHash(message.MessageId, "Plaie", message.Body, [attachment.Sha256])));
        });
        Assert.That(await _messages.ListConversationAsync(_conversation), Is.Empty, "an expired message is not shown");
        Assert.That(await _messages.ContainsAsync(message.MessageId), Is.True, "the Message-ID stays: it is never taken again");
    }

    [Test]
    public async Task Only_what_is_due_is_erased_and_the_next_due_time_is_known()
    {
        var soon = await ReceiveAsync("bientôt", expires: _clock.GetUtcNow() + TimeSpan.FromHours(1));
        var later = await ReceiveAsync("plus tard", expires: _clock.GetUtcNow() + TimeSpan.FromHours(5));

        Assert.That(await _expiries.NextDueAsync(Week), Is.EqualTo(soon.ExpiresAt));
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.That(await _expiries.EraseDueAsync(), Has.Count.EqualTo(1));

        Assert.That((await _messages.GetAsync(soon.MessageId))!.IsExpired, Is.True);
        Assert.That((await _messages.GetAsync(later.MessageId))!.Body, Is.EqualTo("plus tard"));
        // The expired one's server copy is due for erasure now; then the other message.
        Assert.That(await _expiries.NextDueAsync(Week), Is.EqualTo(_clock.GetUtcNow()));
        Assert.That((await _expiries.ServerErasuresDueAsync(10)).Select(e => e.MessageId), Is.EqualTo(new[] { soon.MessageId }));
        await _expiries.ServerErasedAsync(soon.Id);
        Assert.That(await _expiries.NextDueAsync(Week), Is.EqualTo(later.ExpiresAt));
        Assert.That(await _expiries.EraseDueAsync(), Is.Empty, "erasing again does nothing");
        // Each erasure is in the audit trail, once, with its conversation: written in the erasure's own transaction.
        var trail = await new AuditTrail(_db, _clock).ListAsync(0, 10);
        Assert.That(trail.Select(r => (r.Kind, r.MessageId, r.Conversation)),
            Is.EqualTo(new[] { (AuditKinds.MessageExpired, (string?)soon.MessageId, (long?)_conversation) }));
    }

    [Test]
    public async Task A_failed_server_erasure_is_retried_later()
    {
        var message = await ReceiveAsync("texte", expires: _clock.GetUtcNow());
        await _expiries.EraseDueAsync();

        await _expiries.RetryServerErasureAsync(message.Id, _clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        Assert.That(await _expiries.ServerErasuresDueAsync(10), Is.Empty);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await _expiries.ServerErasuresDueAsync(10), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_message_waiting_in_the_outbox_has_no_expiry_until_sent_and_an_erased_one_is_never_sent()
    {
        var waiting = await _messages.EnqueueAsync(new OutgoingDraft(Claire, [Julien], null, "en attente", _conversation));
        Assert.That(waiting.ExpiresAt, Is.Null);
        Assert.That(await _expiries.NextDueAsync(Week), Is.Null);

        // The conversation is ended: even what was still waiting goes, and the outbox no longer sees it.
        Assert.That(await _expiries.ExpireConversationNowAsync(_conversation, except: null), Is.EqualTo(1));
        await _expiries.EraseDueAsync();

        Assert.That(await _messages.DueOutgoingAsync(10), Is.Empty);
        var tombstone = (await _messages.GetAsync(waiting.MessageId))!;
        Assert.That(tombstone.IsExpired, Is.True);
        Assert.That(await _expiries.ServerErasuresDueAsync(10), Is.Empty, "never sent: no server copy to erase");
    }

    [Test]
    public async Task Ending_a_conversation_spares_only_the_notice()
    {
        var first = await ReceiveAsync("un");
        var second = await ReceiveAsync("deux");
        var notice = await _messages.EnqueueAsync(new OutgoingDraft(Claire, [Julien], null, "fin", _conversation, MessageKind.End));

        await _expiries.ExpireConversationNowAsync(_conversation, notice.Id);
        await _expiries.EraseDueAsync();

        Assert.That((await _messages.ListConversationAsync(_conversation)).Select(m => m.MessageId), Is.EqualTo(new[] { notice.MessageId }));
        Assert.That((await _messages.GetAsync(first.MessageId))!.IsExpired && (await _messages.GetAsync(second.MessageId))!.IsExpired, Is.True);
    }

    [Test]
    public async Task The_raw_bytes_of_a_quarantined_message_go_after_their_retention_and_the_reason_stays()
    {
        var marker = Marker();
        await _messages.QuarantineAsync("INBOX", 7, "x@y", "SignatureMissing", "message non signé", Encoding.UTF8.GetBytes($"Subject: {marker}\r\n\r\ntexte"));
        Assert.That(await _expiries.NextDueAsync(TimeSpan.FromDays(3)), Is.EqualTo(_clock.GetUtcNow() + TimeSpan.FromDays(3)));

        _clock.Advance(TimeSpan.FromDays(2));
        Assert.That(await _expiries.EraseQuarantineAsync(TimeSpan.FromDays(3)), Is.Zero);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.That(await _expiries.EraseQuarantineAsync(TimeSpan.FromDays(3)), Is.EqualTo(1));
        await _expiries.CheckpointAsync();

        Assert.That(FilesContaining(marker), Is.Empty);
        Assert.That((await _messages.ListQuarantineAsync()).Single().Reason, Is.EqualTo("SignatureMissing"));
        Assert.That(await _expiries.NextDueAsync(TimeSpan.FromDays(3)), Is.Null);
    }
}
