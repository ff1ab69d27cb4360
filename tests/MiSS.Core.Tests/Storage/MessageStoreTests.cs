using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.Storage;

public class MessageStoreTests
{
    string _directory = "";
    MessageStore _store = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-store-").FullName;
        _store = MessageStore.Open(Path.Combine(_directory, "miss.db"), TimeProvider.System);
    }

    [TearDown]
    public void Clean()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_queued_message_is_durable_and_due_at_once()
    {
        var queued = await _store.EnqueueAsync("a@dev.mssante.test", ["b@dev.mssante.test"], "Sujet", "Texte");

        // A second store on the same file (another process, a restart) sees it.
        var reopened = MessageStore.Open(Path.Combine(_directory, "miss.db"), TimeProvider.System);
        var due = await reopened.DueOutgoingAsync(10);

        Assert.That(due.Select(m => m.MessageId), Is.EqualTo(new[] { queued.MessageId }));
        Assert.That(due[0].State, Is.EqualTo(MessageState.Queued));
        Assert.That(due[0].Recipients, Is.EqualTo(new[] { "b@dev.mssante.test" }));
        Assert.That(queued.MessageId, Does.EndWith("@dev.mssante.test"));
    }

    [Test]
    public async Task A_retry_in_the_future_is_not_due_and_sent_is_final()
    {
        var first = await _store.EnqueueAsync("a@x.test", ["b@x.test"], null, "1");
        var second = await _store.EnqueueAsync("a@x.test", ["b@x.test"], null, "2");

        await _store.ScheduleRetryAsync(first.Id, "serveur injoignable", DateTimeOffset.UtcNow.AddMinutes(5));
        await _store.MarkSentAsync(second.Id);

        Assert.That(await _store.DueOutgoingAsync(10), Is.Empty);
        var retried = await _store.GetAsync(first.MessageId);
        Assert.That(retried!.Attempts, Is.EqualTo(1));
        Assert.That(retried.Error, Is.EqualTo("serveur injoignable"));
        Assert.That((await _store.GetAsync(second.MessageId))!.State, Is.EqualTo(MessageState.Sent));
    }

    [Test]
    public async Task A_received_message_is_stored_once()
    {
        var signature = new SignatureRecord(OpenStatus.Verified, "signature vérifiée", "Claire MARTIN", "10101234564", true);
        var message = new ReceivedMessage("m1@x.test", "a@x.test", "Claire MARTIN", ["b@x.test"], "Sujet", "Texte", DateTimeOffset.UtcNow, signature);

        Assert.That(await _store.SaveReceivedAsync(message), Is.True);
        Assert.That(await _store.SaveReceivedAsync(message), Is.False);

        var stored = await _store.GetAsync("m1@x.test");
        Assert.That(stored!.Signature, Is.EqualTo(signature));
        Assert.That(stored.Body, Is.EqualTo("Texte"));
        Assert.That((await _store.ListAsync(10)).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task The_mailbox_position_survives_a_reopen()
    {
        await _store.SaveMailboxPositionAsync("INBOX", 1234, 56);
        await _store.SaveMailboxPositionAsync("INBOX", 1234, 57);

        var reopened = MessageStore.Open(Path.Combine(_directory, "miss.db"), TimeProvider.System);

        Assert.That(await reopened.GetMailboxPositionAsync("INBOX"), Is.EqualTo(((uint)1234, (uint)57)));
        Assert.That(await reopened.GetMailboxPositionAsync("Sent"), Is.Null);
    }

    [Test]
    public async Task A_store_from_a_newer_version_is_refused_not_damaged()
    {
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "miss.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 999";
            await command.ExecuteNonQueryAsync();
        }

        var error = Assert.Throws<InvalidOperationException>(() => MessageStore.Open(Path.Combine(_directory, "miss.db"), TimeProvider.System));
        Assert.That(error!.Message, Does.Contain("newer"));
    }

    [Test]
    public void Opening_twice_runs_the_migrations_once()
    {
        Assert.DoesNotThrow(() => MessageStore.Open(Path.Combine(_directory, "miss.db"), TimeProvider.System));
    }
}
