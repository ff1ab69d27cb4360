using System.Text;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Photos;
using MiSS.Core.Attachments;
using MiSS.Core.Documents;
using MiSS.Core.Storage;
using MiSS.Core.Tests;
using MiSS.Core.Tests.Photos;
using MiSS.DevEnvironment;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>
/// Ephemeral conversations through the real mail server, with the instances' clock moved by the test: expiry erases
/// the content from the stores, their files and logs, and the server copies; a restart or an outage skips nothing.
/// </summary>
public class ExpiryTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    static readonly TimeSpan Week = TimeSpan.FromDays(7);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    static string Marker() => "MARQUEUR-" + Guid.NewGuid().ToString("N");

    static async Task<StoredMessage> StoredAsync(MissInstance at, string messageId) =>
        await TestWait.ForAsync(() => at.Store.GetAsync(messageId), Patience, $"{messageId} at {at.Practitioner.Id}'s");

    static Task<StoredMessage> SentAsync(MissInstance at, string messageId) =>
        TestWait.ForAsync(async () => await at.Store.GetAsync(messageId) is { State: MessageState.Sent, ExpiresAt: not null } m ? m : null,
            Patience, $"{messageId} sent by {at.Practitioner.Id}");

    static Task<StoredMessage> ExpiredAsync(MissInstance at, string messageId) =>
        TestWait.ForAsync(async () => await at.Store.GetAsync(messageId) is { IsExpired: true } m ? m : null,
            Patience, $"{messageId} expired at {at.Practitioner.Id}'s");

    static Task GoneFromServerAsync(DevPractitioner p, string messageId, string folder) =>
        TestWait.ForAsync(async () => await MailServerFixture.FetchRawAsync(p, messageId, folder) is null ? "gone" : null,
            Patience, $"{messageId} erased from {p.Id}'s {folder}");

    static Task OnServerAsync(DevPractitioner p, string messageId, string folder) =>
        TestWait.ForAsync(async () => await MailServerFixture.FetchRawAsync(p, messageId, folder) is not null ? "there" : null,
            Patience, $"{messageId} in {p.Id}'s {folder}");

    /// <summary>The files of a data folder (SQLite and its -wal, blobs, logs) that hold <paramref name="marker"/>.</summary>
    static List<string> FilesContaining(string directory, string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0).ToList();
    }

    static NewAttachment Photo() =>
        new AttachmentPolicy(PhotoOptions.Default, TransportProfile.MSSante).PrepareOutgoing("plaie.jpg", SyntheticImages.CameraJpeg(1200, 900));

    [Test]
    public async Task At_expiry_text_and_photo_are_gone_from_both_stores_files_logs_and_mailboxes_and_never_come_back()
    {
        var clock = new ManualClock();
        var marker = Marker();
        await using var claire = await MissInstance.StartAsync(Claire, time: clock);
        await using var julien = await MissInstance.StartAsync(Julien, time: clock);
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        var photo = await claire.Conversations.SendTextAsync(conversation.Id, $"Plaie du talon ce matin ({marker})", [Photo()]);
        var atJulien = await StoredAsync(julien, photo.MessageId);
        var answer = await julien.Conversations.SendTextAsync(atJulien.Conversation!.Value, $"Bien vu, on en reparle ({marker})");
        await StoredAsync(claire, answer.MessageId);
        var sent = await SentAsync(claire, photo.MessageId);
        await SentAsync(julien, answer.MessageId);
        var photoHash = (await claire.Store.AttachmentsAsync(sent.Id)).Single().Sha256;
        foreach (var (p, id, folder) in new[] { (Claire, photo.MessageId, "Sent"), (Julien, photo.MessageId, "INBOX"),
                     (Julien, answer.MessageId, "Sent"), (Claire, answer.MessageId, "INBOX") })
        {
            await OnServerAsync(p, id, folder);
        }
        var copyAtJulien = (await MailServerFixture.FetchRawAsync(Julien, photo.MessageId))!;
        // The search below is worth something only if it finds the text before expiry.
        Assert.That(FilesContaining(julien.DataDirectory, marker), Is.Not.Empty);
        Assert.That(sent.ExpiresAt, Is.EqualTo((await julien.Store.GetAsync(photo.MessageId))!.ExpiresAt), "the same expiry on both sides");
        Assert.That(sent.ExpiresAt, Is.EqualTo(new Retention(Week, 0).ExpiryOf(sent.SentAt!.Value)));

        clock.Advance(Week + TimeSpan.FromMinutes(1));

        foreach (var (at, id) in new[] { (claire, photo.MessageId), (julien, photo.MessageId), (claire, answer.MessageId), (julien, answer.MessageId) })
        {
            await ExpiredAsync(at, id);
        }
        await GoneFromServerAsync(Claire, photo.MessageId, "Sent");
        await GoneFromServerAsync(Julien, photo.MessageId, "INBOX");
        await GoneFromServerAsync(Julien, answer.MessageId, "Sent");
        await GoneFromServerAsync(Claire, answer.MessageId, "INBOX");
        foreach (var instance in new[] { claire, julien })
        {
            Assert.That(FilesContaining(instance.DataDirectory, marker), Is.Empty,
                $"{instance.Practitioner.Id}: no file (SQLite, -wal, blobs, logs) holds the text");
            Assert.That(Directory.EnumerateFiles(Path.Combine(instance.DataDirectory, "blobs"), "*", SearchOption.AllDirectories), Is.Empty,
                $"{instance.Practitioner.Id}: the photo and its thumbnail files are gone");
            Assert.That(await instance.Store.ListConversationAsync(instance == claire ? conversation.Id : atJulien.Conversation!.Value), Is.Empty);
        }
        foreach (var p in new[] { Claire, Julien })
        {
            var raw = await MailServerFixture.FetchEverythingAsync(p);
            Assert.That(raw.Where(m => Encoding.UTF8.GetString(m).Contains(photo.MessageId, StringComparison.Ordinal)
                                       || Encoding.UTF8.GetString(m).Contains(answer.MessageId, StringComparison.Ordinal)
                                       || Encoding.UTF8.GetString(m).Contains(marker, StringComparison.Ordinal)), Is.Empty,
                $"{p.Id}'s INBOX and Sent hold neither the messages nor the text");
        }

        // The tombstone remains, content-free, with the hash of what was erased.
        var tombstone = (await julien.Store.GetAsync(photo.MessageId))!;
        Assert.That(tombstone.Body, Is.Empty);
        Assert.That(tombstone.Sender, Is.EqualTo(Claire.Address));
        Assert.That(tombstone.Signature!.IsVerified, Is.True);
        Assert.That(tombstone.ContentSha256,
            Is.EqualTo(ExpiryStore.ContentHash(photo.MessageId, "", $"Plaie du talon ce matin ({marker})", [photoHash])));

        // The same message delivered again is not taken back, and its new copy is erased from the server.
        await MailServerFixture.Server.DeliverRawAsync(Julien.Address, copyAtJulien);
        await OnServerAsync(Julien, photo.MessageId, "INBOX");
        await GoneFromServerAsync(Julien, photo.MessageId, "INBOX");
        Assert.That((await julien.Store.GetAsync(photo.MessageId))!.IsExpired, Is.True);
        Assert.That(FilesContaining(julien.DataDirectory, marker), Is.Empty);
    }

    [Test]
    public async Task A_service_stopped_before_the_expiry_erases_at_start_after_it()
    {
        var clock = new ManualClock();
        await using var claire = await MissInstance.StartAsync(Claire, time: clock);
        var julienOptions = MissInstance.OptionsFor(Julien);
        StoredMessage sent;
        await using (var julien = await MissInstance.StartAsync(Julien, julienOptions, keepData: true, time: clock))
        {
            sent = await claire.SendDirectAsync(Julien, "Pansement à refaire demain");
            await StoredAsync(julien, sent.MessageId);
        }

        clock.Advance(Week + TimeSpan.FromHours(3));
        await ExpiredAsync(claire, sent.MessageId);
        Assert.That(await MailServerFixture.FetchRawAsync(Julien, sent.MessageId), Is.Not.Null, "nothing runs at Julien's while stopped");

        await using var restarted = await MissInstance.StartAsync(Julien, julienOptions, time: clock);
        var tombstone = await ExpiredAsync(restarted, sent.MessageId);
        await GoneFromServerAsync(Julien, sent.MessageId, "INBOX");
        Assert.That(tombstone.Body, Is.Empty);
        Assert.That(tombstone.ExpiredAt, Is.GreaterThan(tombstone.ExpiresAt!.Value), "erased at start, after its expiry had passed");
    }

    [Test]
    public async Task A_retention_change_by_one_member_applies_on_the_other_side()
    {
        var clock = new ManualClock();
        await using var claire = await MissInstance.StartAsync(Claire, time: clock);
        await using var julien = await MissInstance.StartAsync(Julien, time: clock);
        var first = await claire.SendDirectAsync(Julien, "Bonjour");
        var atJulien = await StoredAsync(julien, first.MessageId);
        var conversationAtJulien = atJulien.Conversation!.Value;
        Assert.That((await julien.ConversationStore.GetAsync(conversationAtJulien))!.Retention.Duration, Is.EqualTo(Week));

        var change = await claire.Conversations.SetRetentionAsync(first.Conversation!.Value, TimeSpan.FromDays(1));

        var notice = await StoredAsync(julien, change.MessageId);
        Assert.That(notice.Kind, Is.EqualTo(MessageKind.Retention));
        Assert.That(notice.Body, Does.Contain("1 jour"));
        Assert.That((await julien.ConversationStore.GetAsync(conversationAtJulien))!.Retention.Duration, Is.EqualTo(TimeSpan.FromDays(1)));
        // Julien's next message lives one day, on both sides; the first one keeps its week.
        var reply = await julien.Conversations.SendTextAsync(conversationAtJulien, "Entendu");
        var replySent = await SentAsync(julien, reply.MessageId);
        Assert.That(replySent.ExpiresAt, Is.EqualTo(new Retention(TimeSpan.FromDays(1), 0).ExpiryOf(replySent.SentAt!.Value)));
        Assert.That((await StoredAsync(claire, reply.MessageId)).ExpiresAt, Is.EqualTo(replySent.ExpiresAt));
        Assert.That(atJulien.ExpiresAt, Is.EqualTo(first.CreatedAt + Week).Within(TimeSpan.FromMinutes(1)));

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await ExpiredAsync(claire, reply.MessageId);
        await ExpiredAsync(julien, reply.MessageId);
        Assert.That((await julien.Store.GetAsync(first.MessageId))!.IsExpired, Is.False);
    }

    [Test]
    public async Task A_message_queued_while_the_smtp_server_is_down_is_sent_when_it_returns_and_lives_its_full_retention()
    {
        var clock = new ManualClock();
        var start = clock.GetUtcNow();
        await using var claire = await MissInstance.StartAsync(Claire, time: clock);
        await using var julien = await MissInstance.StartAsync(Julien, time: clock);
        StoredMessage queued;
        await MailServerFixture.Server.StopPostfixAsync();
        try
        {
            queued = await claire.SendDirectAsync(Julien, "Écrit hors connexion");
            await TestWait.ForAsync(async () => await claire.Store.GetAsync(queued.MessageId) is { Attempts: > 0 } m ? m : null, Patience,
                "a first failed attempt");
            clock.Advance(TimeSpan.FromDays(2)); // two days offline: the retries keep failing, the message keeps waiting
            await TestWait.ForAsync(async () => await claire.Store.GetAsync(queued.MessageId) is { Attempts: > 1 } m ? m : null, Patience,
                "a retry two days later");
        }
        finally
        {
            await MailServerFixture.Server.StartPostfixAsync();
        }
        var stillQueued = (await claire.Store.GetAsync(queued.MessageId))!;
        Assert.That(stillQueued.State, Is.EqualTo(MessageState.Queued));
        Assert.That(stillQueued.ExpiresAt, Is.Null, "no countdown before it is sent");

        clock.Advance(TimeSpan.FromMinutes(10)); // the next retry comes due, with the server back
        var sent = await SentAsync(claire, queued.MessageId);
        var received = await StoredAsync(julien, queued.MessageId);
        Assert.That(sent.ExpiresAt, Is.GreaterThanOrEqualTo(start + TimeSpan.FromDays(2) + Week));
        Assert.That(received.ExpiresAt, Is.EqualTo(sent.ExpiresAt));

        // A week after it was written it is still there: its week started when it was sent.
        clock.Advance(sent.ExpiresAt!.Value - clock.GetUtcNow() - TimeSpan.FromHours(1));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That((await claire.Store.GetAsync(queued.MessageId))!.IsExpired, Is.False);
        Assert.That((await julien.Store.GetAsync(queued.MessageId))!.Body, Is.EqualTo("Écrit hors connexion"));

        clock.Advance(TimeSpan.FromHours(2));
        await ExpiredAsync(claire, queued.MessageId);
        await ExpiredAsync(julien, queued.MessageId);
    }

    [Test]
    public async Task Ending_a_conversation_erases_it_for_every_member_at_once()
    {
        var clock = new ManualClock();
        await using var claire = await MissInstance.StartAsync(Claire, time: clock);
        await using var julien = await MissInstance.StartAsync(Julien, time: clock);
        var first = await claire.SendDirectAsync(Julien, "Premier message");
        var atJulien = await StoredAsync(julien, first.MessageId);
        var reply = await julien.Conversations.SendTextAsync(atJulien.Conversation!.Value, "Réponse");
        await StoredAsync(claire, reply.MessageId);

        var end = await claire.Conversations.EndAsync(first.Conversation!.Value);

        await ExpiredAsync(claire, first.MessageId);
        await ExpiredAsync(claire, reply.MessageId);
        var notice = await StoredAsync(julien, end!.MessageId);
        Assert.That(notice.Kind, Is.EqualTo(MessageKind.End));
        await ExpiredAsync(julien, first.MessageId);
        await ExpiredAsync(julien, reply.MessageId);
        await GoneFromServerAsync(Julien, first.MessageId, "INBOX");
        await GoneFromServerAsync(Claire, reply.MessageId, "INBOX");
        var ended = (await julien.ConversationStore.GetAsync(atJulien.Conversation!.Value))!;
        Assert.That(ended.IsEnded, Is.True);
        Assert.That((await julien.Store.ListConversationAsync(ended.Id)).Select(m => m.MessageId), Is.EqualTo(new[] { end.MessageId }));
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => julien.Conversations.SendTextAsync(ended.Id, "Encore une chose"));
        Assert.That(refusal!.Message, Does.Contain("terminée"));
    }
}
