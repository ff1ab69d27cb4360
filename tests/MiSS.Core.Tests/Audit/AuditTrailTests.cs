using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Attachments;
using MiSS.Core.Audit;
using MiSS.Core.Conversations;
using MiSS.Core.Documents;
using MiSS.Core.Events;
using MiSS.Core.Expiry;
using MiSS.Core.Incoming;
using MiSS.Core.Messaging;
using MiSS.Core.Photos;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using MiSS.Core.Tests.Secure;
using MimeKit;
using MimeKit.Utils;

namespace MiSS.Core.Tests.Audit;

/// <summary>The audit trail on real SQLite files: one chain whatever the concurrency, and every kind of tampering seen.</summary>
public class AuditTrailTests
{
    string _directory = "";
    string _path = "";
    ManualClock _clock = null!;
    StoreDatabase _db = null!;
    AuditTrail _audit = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-audit-").FullName;
        _path = Path.Combine(_directory, "miss.db");
        _clock = new ManualClock();
        _db = StoreDatabase.Open(_path);
        _audit = new AuditTrail(_db, _clock);
    }

    [TearDown]
    public void Clean()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    async Task AppendSomeAsync(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await _audit.AppendAsync(AuditKinds.MessageSent, $"m{i}@x.test", i % 2 == 0 ? null : i, "claire@x.test", $"Text, {i} destinataire(s) sur {i}");
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Runs SQL on the file as someone editing it would: a plain connection, triggers dropped first.</summary>
    async Task TamperAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task Appends_make_one_chain_from_sixty_four_zeros()
    {
        var first = await _audit.AppendAsync(AuditKinds.TokenCreated, null, null, "logiciel", "jeton créé");
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        var second = await _audit.AppendAsync(AuditKinds.MessageReceived, "a@x.test", 3, "julien@x.test", "Verified, RPPS 10101234572");

        Assert.That(first.Seq, Is.EqualTo(1));
        Assert.That(first.PrevHash, Is.EqualTo(new string('0', 64)));
        Assert.That(second.Seq, Is.EqualTo(2));
        Assert.That(second.PrevHash, Is.EqualTo(first.Hash));
        Assert.That(second.Hash, Does.Match("^[0-9a-f]{64}$"));
        Assert.That(second.At - first.At, Is.EqualTo(TimeSpan.FromMilliseconds(5)), "the injected clock dates records");
        var listed = await _audit.ListAsync(0, 10);
        Assert.That(listed, Is.EqualTo(new[] { first, second }), "what is read back is what was appended");
        Assert.That(await _audit.ListAsync(1, 10), Is.EqualTo(new[] { second }));
        Assert.That(await _audit.HeadAsync(), Is.EqualTo(new AuditHead(2, second.Hash)));
    }

    [Test]
    public void The_hashed_form_is_length_prefixed_so_moving_text_between_fields_changes_the_hash()
    {
        var zeros = AuditTrail.GenesisHash;
        // Same concatenated characters, different fields; null and empty differ too.
        var a = AuditTrail.HashOf(1, 0, "message.sent", "ab", null, "c", "d", zeros);
        var b = AuditTrail.HashOf(1, 0, "message.sent", "a", null, "bc", "d", zeros);
        var c = AuditTrail.HashOf(1, 0, "message.sent", null, null, "c", "d", zeros);
        var d = AuditTrail.HashOf(1, 0, "message.sent", "", null, "c", "d", zeros);
        var e = AuditTrail.HashOf(1, 0, "message.sent", null, 12, "c", "d", zeros);
        var f = AuditTrail.HashOf(11, 2, "message.sent", null, null, "c", "d", zeros);
        var g = AuditTrail.HashOf(1, 12, "message.sent", null, null, "c", "d", zeros);
        Assert.That(new[] { a, b, c, d, e, f, g }, Is.Unique);
        Assert.That(AuditTrail.HashOf(1, 0, "message.sent", "ab", null, "c", "d", zeros), Is.EqualTo(a), "deterministic");
    }

    [Test]
    public async Task The_documented_form_gives_the_hash_the_trail_stores()
    {
        var record = await _audit.AppendAsync(AuditKinds.MessageExpired, "m@x.test", 7, null, "contenu effacé");

        // docs/security.md, rebuilt by hand: tag, seq, at, kind, message_id, conversation, actor (null), detail, prev_hash.
        var bytes = new List<byte>();
        void Field(string? value)
        {
            if (value is null)
            {
                bytes.Add(0);
                return;
            }
            var utf8 = Encoding.UTF8.GetBytes(value);
            bytes.Add(1);
            bytes.AddRange([(byte)(utf8.Length >> 24), (byte)(utf8.Length >> 16), (byte)(utf8.Length >> 8), (byte)utf8.Length]);
            bytes.AddRange(utf8);
        }
        Field("MiSS-audit-1");
        Field("1");
        Field(record.At.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field("message.expired");
        Field("m@x.test");
        Field("7");
        Field(null);
        Field("contenu effacé");
        Field(new string('0', 64));
        var expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData([.. bytes])).ToLowerInvariant();

        Assert.That(record.Hash, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_fresh_chain_verifies_and_gives_its_head()
    {
        Assert.That((await _audit.VerifyAsync()).IsIntact, Is.True, "an empty trail is intact");
        await AppendSomeAsync(5);

        var result = await _audit.VerifyAsync();

        Assert.That(result.IsIntact, Is.True, result.Detail);
        Assert.That(result.Records, Is.EqualTo(5));
        Assert.That(result.Head, Is.EqualTo(await _audit.HeadAsync()));
        Assert.That(result.BrokenAt, Is.Null);
        Assert.That((await _audit.VerifyAsync(result.Head)).IsIntact, Is.True, "the chain reaches the noted head");
    }

    [Test]
    public async Task The_store_refuses_to_update_or_delete_a_record()
    {
        await AppendSomeAsync(2);

        var update = await Assert.ThrowsAsync<SqliteException>(() => _db.ExecuteAsync("UPDATE audit SET detail = 'rien' WHERE seq = 1", default));
        var delete = await Assert.ThrowsAsync<SqliteException>(() => _db.ExecuteAsync("DELETE FROM audit", default));

        Assert.That(update!.Message, Does.Contain("append-only"));
        Assert.That(delete!.Message, Does.Contain("append-only"));
        Assert.That((await _audit.VerifyAsync()).Records, Is.EqualTo(2));
    }

    [Test]
    public async Task A_detail_modified_in_the_file_is_found_at_its_record()
    {
        await AppendSomeAsync(6);

        await TamperAsync("UPDATE audit SET detail = 'Text, 0 destinataire(s) sur 0' WHERE seq = 4");
        var result = await _audit.VerifyAsync();

        Assert.That(result.IsIntact, Is.False);
        Assert.That(result.BrokenAt, Is.EqualTo(4));
        Assert.That(result.Break, Is.EqualTo(AuditBreak.Modified));
        Assert.That(result.Records, Is.EqualTo(3), "records before it verify");
        Assert.That(result.Head!.Seq, Is.EqualTo(3));
        Assert.That(result.Detail, Does.Contain("modifié"));
    }

    [Test]
    public async Task A_record_modified_with_its_hash_recomputed_is_found_at_the_next_one()
    {
        await AppendSomeAsync(6);
        var victim = (await _audit.ListAsync(2, 1)).Single();
        var forged = AuditTrail.HashOf(victim with { Detail = "falsifié" });

        await TamperAsync($"UPDATE audit SET detail = 'falsifié', hash = '{forged}' WHERE seq = 3");
        var result = await _audit.VerifyAsync();

        Assert.That(result.BrokenAt, Is.EqualTo(4));
        Assert.That(result.Break, Is.EqualTo(AuditBreak.Relinked));
    }

    [Test]
    public async Task A_removed_middle_record_is_found()
    {
        await AppendSomeAsync(6);

        await TamperAsync("DELETE FROM audit WHERE seq = 3");
        var result = await _audit.VerifyAsync();

        Assert.That(result.IsIntact, Is.False);
        Assert.That(result.BrokenAt, Is.EqualTo(3));
        Assert.That(result.Break, Is.EqualTo(AuditBreak.Missing));
        Assert.That(result.Detail, Does.Contain("3").And.Contain("supprimé"));
    }

    [Test]
    public async Task A_removed_record_with_the_rest_renumbered_is_found()
    {
        await AppendSomeAsync(6);

        await TamperAsync("DELETE FROM audit WHERE seq = 3; UPDATE audit SET seq = seq - 1 WHERE seq > 3");
        var result = await _audit.VerifyAsync();

        Assert.That(result.IsIntact, Is.False);
        Assert.That(result.BrokenAt, Is.EqualTo(3), "the record now at 3 does not hash as a record 3");
    }

    [Test]
    public async Task A_truncated_or_rebuilt_tail_is_found_only_against_a_noted_head()
    {
        await AppendSomeAsync(6);
        var noted = (await _audit.HeadAsync())!;

        await TamperAsync("DELETE FROM audit WHERE seq >= 5");
        Assert.That((await _audit.VerifyAsync()).IsIntact, Is.True, "the limit: a shorter chain is a valid chain");
        var truncated = await _audit.VerifyAsync(noted);
        Assert.That(truncated.Break, Is.EqualTo(AuditBreak.Truncated));
        Assert.That(truncated.BrokenAt, Is.EqualTo(5));

        // Rebuilt: new records 5 and 6 appended properly after the cut.
        await AppendSomeAsync(2);
        Assert.That((await _audit.VerifyAsync()).IsIntact, Is.True);
        var rebuilt = await _audit.VerifyAsync(noted);
        Assert.That(rebuilt.Break, Is.EqualTo(AuditBreak.Rewritten));
        Assert.That(rebuilt.BrokenAt, Is.EqualTo(6));
    }

    [Test]
    public async Task Concurrent_appends_from_two_connections_pools_keep_one_valid_chain()
    {
        // Two StoreDatabase objects on one file: as the service and the command line are.
        var other = new AuditTrail(StoreDatabase.Open(_path), _clock);
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var trail = t % 2 == 0 ? _audit : other;
            for (var i = 0; i < 50; i++)
            {
                await trail.AppendAsync(AuditKinds.MessageSent, $"t{t}-{i}@x.test", t, $"task{t}", $"{i}");
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        var result = await _audit.VerifyAsync();
        Assert.That(result.IsIntact, Is.True, result.Detail);
        Assert.That(result.Records, Is.EqualTo(400));
        var all = await _audit.ListAsync(0, 1000);
        Assert.That(all.Select(r => r.Seq), Is.EqualTo(Enumerable.Range(1, 400).Select(i => (long)i)));
        Assert.That(all.Select(r => r.MessageId).Distinct().Count(), Is.EqualTo(400), "no append lost or doubled");
    }

    [Test]
    public void A_noted_head_reads_back_from_its_text_form()
    {
        var head = new AuditHead(42, new string('a', 64));
        Assert.That(AuditHead.TryParse(head.ToString()), Is.EqualTo(head));
        Assert.That(AuditHead.TryParse("42"), Is.Null);
        Assert.That(AuditHead.TryParse("x:" + new string('a', 64)), Is.Null);
        Assert.That(AuditHead.TryParse("42:" + new string('A', 64)), Is.Null);
    }

    [Test]
    public async Task A_change_and_its_audit_record_commit_together_or_not_at_all()
    {
        var store = new MessageStore(_db, BlobStore.Open(_directory), _clock);
        var signature = new SignatureRecord(OpenStatus.Verified, "signature vérifiée", "Claire MARTIN", "10101234564", true);
        ReceivedMessage Received(string id) => new(id, "claire@x.test", null, ["julien@x.test"], null, "Bonjour", null, signature);
        var broken = new AuditEvent(" ", null, null, null, "un enregistrement qui ne peut pas s'écrire");

        // An audit record that cannot be written takes its change with it...
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveReceivedAsync(Received("r1@x.test"), broken));
        await Assert.ThrowsAsync<ArgumentException>(() => store.QuarantineAsync("INBOX", 7, "q1@x.test", "NotSmime", "ni chiffré ni signé", [1, 2], broken));
        var queued = await store.EnqueueAsync("julien@x.test", ["claire@x.test"], null, "Réponse");
        await Assert.ThrowsAsync<ArgumentException>(() => store.MarkSentAsync(queued.Id, audit: broken));
        Assert.That(await store.GetAsync("r1@x.test"), Is.Null);
        Assert.That(await store.ListQuarantineAsync(), Is.Empty);
        Assert.That((await store.GetAsync(queued.MessageId))!.State, Is.EqualTo(MessageState.Queued));
        Assert.That(await _audit.ListAsync(0, 10), Is.Empty);

        // ...and a change that is made has its record, in one chain with the others.
        Assert.That(await store.SaveReceivedAsync(Received("r1@x.test"), new AuditEvent(AuditKinds.MessageReceived, "r1@x.test", null, "claire@x.test", "Verified")), Is.True);
        await store.MarkSentAsync(queued.Id, audit: new AuditEvent(AuditKinds.MessageSent, queued.MessageId, null, "julien@x.test", "Text, 1 destinataire(s) sur 1"));
        await _audit.AppendAsync(AuditKinds.TokenCreated, null, null, "instance", "jeton créé");
        Assert.That((await store.GetAsync(queued.MessageId))!.State, Is.EqualTo(MessageState.Sent));
        Assert.That((await _audit.ListAsync(0, 10)).Select(r => r.Kind), Is.EqualTo(new[] { AuditKinds.MessageReceived, AuditKinds.MessageSent, AuditKinds.TokenCreated }));
        Assert.That((await _audit.VerifyAsync()).IsIntact, Is.True);
    }

    [Test]
    public async Task Receiving_and_quarantining_messages_leave_no_content_in_the_trail()
    {
        var marker = "MARQUEUR-" + Guid.NewGuid().ToString("N");
        var claire = TestPki.Claire;
        var julien = TestPki.Julien;

        // Claire's side composes and seals a message about a patient, as her outbox would.
        var claireDb = StoreDatabase.Open(Path.Combine(_directory, "claire", "miss.db"));
        var claireConversations = new ConversationStore(claireDb, _clock);
        var claireMessages = new MessageStore(claireDb, BlobStore.Open(Path.Combine(_directory, "claire")), _clock);
        var patient = new PatientContext("DURAND" + marker, "Léa", "1948-05-12", "248057512345678", "1.2.250.1.213.1.4.10");
        var conversation = await claireConversations.CreateAsync(ConversationStore.NewConversationId(), ConversationKind.Direct, null,
            GroupMembership.Empty.Add(claire.Address, 1).Add(julien.Address, 1), patient, new Retention(TimeSpan.FromDays(7), 1));
        var queued = await claireMessages.EnqueueAsync(new OutgoingDraft(claire.Address, [julien.Address], "Objet " + marker,
            "La plaie suinte " + marker, conversation.Id));
        var composer = new MessageComposer("MiSS-TEST");
        var sealedBody = new SmimeSeal(TestPki.Trust(), TimeProvider.System).SignAndEncrypt(
            composer.ComposeContent(queued, conversation, claire.DisplayName), SmimeFixtures.Certificate(claire), [SmimeFixtures.Certificate(julien)]);
        var wire = MimeBytes.Canonical(composer.ComposeEnvelope(queued, claire.DisplayName, sealedBody));
        var plain = Encoding.UTF8.GetBytes(
            $"From: inconnu@x.test\r\nTo: {julien.Address}\r\nSubject: {marker}\r\nMessage-ID: <plain-{Guid.NewGuid():N}@x.test>\r\n\r\nEn clair {marker}\r\n");

        // Julien's side takes both from his INBOX.
        var messages = new MessageStore(_db, BlobStore.Open(_directory), _clock);
        var conversations = new ConversationStore(_db, _clock);
        var events = new MissEvents();
        var intake = new MessageIntake(messages, SmimeFixtures.OpenerFor(julien),
            new ConversationRouter(conversations, messages, julien.Address, TimeSpan.FromDays(7)),
            new ReportHandler(messages, events, NullLogger<ReportHandler>.Instance), conversations,
            new AttachmentPolicy(PhotoOptions.Default, TransportProfile.MSSante), new ExpiryStore(_db, BlobStore.Open(_directory), _clock),
            new ExpirySignal(), events, _audit, _clock, NullLogger<MessageIntake>.Instance);

        Assert.That(await intake.AcceptAsync("INBOX", 1, wire), Is.EqualTo(IntakeOutcome.Stored));
        Assert.That(await intake.AcceptAsync("INBOX", 2, plain), Is.EqualTo(IntakeOutcome.Quarantined));
        Assert.That((await messages.GetAsync(queued.MessageId))!.Body, Does.Contain(marker), "the content is in the store");

        var records = await _audit.ListAsync(0, 100);
        Assert.That(records.Select(r => r.Kind), Is.EqualTo(new[] { AuditKinds.MessageReceived, AuditKinds.MessageQuarantined }));
        Assert.That(records[0].MessageId, Is.EqualTo(queued.MessageId));
        Assert.That(records[0].Actor, Is.EqualTo(claire.Address));
        Assert.That(records[0].Detail, Is.EqualTo($"Verified, RPPS {claire.Rpps}"));
        Assert.That(records[1].Detail, Does.StartWith(nameof(OpenStatus.NotSmime)));
        // Every column of every row, read raw from the file: no text, subject or patient.
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM audit";
        await using var reader = await command.ExecuteReaderAsync();
        var cells = new List<string>();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                cells.Add(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }
        }
        Assert.That(cells, Has.Count.EqualTo(18));
        foreach (var secret in new[] { marker, "plaie", "Objet", "248057512345678", "Léa" })
        {
            Assert.That(cells.Where(c => c.Contains(secret, StringComparison.OrdinalIgnoreCase)), Is.Empty, secret);
        }
        Assert.That((await _audit.VerifyAsync()).IsIntact, Is.True);
    }
}
