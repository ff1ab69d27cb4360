using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Attachments;
using MiSS.Core.Audit;
using MiSS.Core.Conversations;
using MiSS.Core.Documents;
using MiSS.Core.Events;
using MiSS.Core.Expiry;
using MiSS.Core.Incoming;
using MiSS.Core.Photos;
using MiSS.Core.Storage;
using MiSS.Core.Tests.Secure;

namespace MiSS.Core.Tests.Transport;

/// <summary>
/// The watcher's IDLE loop on MailKit against a scripted IMAP peer, with time moved by the test: IDLE re-issued before
/// the server's timeout, a server without IDLE polled, a dropped server reported at once and reconnected with backoff.
/// </summary>
[CancelAfter(60_000)]
public class InboxWatcherTests
{
    string _directory = null!;
    ManualClock _clock = null!;
    StoreDatabase _db = null!;
    InboxStatus _status = null!;

    [SetUp]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("miss-watcher-").FullName;
        _clock = new ManualClock();
        _db = StoreDatabase.Open(Path.Combine(_directory, "miss.db"));
        _status = new InboxStatus();
    }

    [TearDown]
    public void Clean()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    InboxWatcher Watcher(int port)
    {
        var julien = TestPki.Julien;
        var blobs = BlobStore.Open(_directory);
        var messages = new MessageStore(_db, blobs, _clock);
        var conversations = new ConversationStore(_db, _clock);
        var events = new MissEvents();
        var intake = new MessageIntake(messages, SmimeFixtures.OpenerFor(julien),
            new ConversationRouter(conversations, messages, julien.Address, TimeSpan.FromDays(7)),
            new ReportHandler(messages, events, NullLogger<ReportHandler>.Instance), conversations,
            new AttachmentPolicy(PhotoOptions.Default, TransportProfile.MSSante), new ExpiryStore(_db, blobs, _clock),
            new ExpirySignal(), events, new AuditTrail(_db, _clock), _clock, NullLogger<MessageIntake>.Instance);
        return new InboxWatcher(messages, intake, TransportTestOptions.For(port), _status, _clock, NullLogger<InboxWatcher>.Instance);
    }

    static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task IDLE_is_ended_and_issued_again_before_the_server_timeout()
    {
        await using var peer = ScriptedImapPeer.Start();
        var watcher = Watcher(peer.Port);
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => peer.Idles == 1 && _status.IsIdle, "the first IDLE");
            var fetches = peer.Fetches;

            _clock.Advance(InboxWatcher.IdleRenewal - TimeSpan.FromSeconds(1));
            await Task.Delay(300);
            Assert.That(peer.Idles, Is.EqualTo(1), "still in the first IDLE before the renewal is due");

            _clock.Advance(TimeSpan.FromSeconds(1));
            await Until(() => peer.Idles == 2, "IDLE issued again");
            Assert.That(peer.Fetches, Is.EqualTo(fetches + 1), "a catch-up between the two IDLEs");
            Assert.That(peer.Connections, Is.EqualTo(1), "renewed on the same connection");
            Assert.That(InboxWatcher.IdleRenewal, Is.LessThan(TimeSpan.FromMinutes(10)));
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_server_without_IDLE_is_polled()
    {
        await using var peer = ScriptedImapPeer.Start(idle: false);
        var watcher = Watcher(peer.Port);
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => peer.Fetches == 1, "the first catch-up");
            await Task.Delay(200);
            Assert.That(peer.Idles, Is.Zero);

            _clock.Advance(InboxWatcher.PollInterval);
            await Until(() => peer.Noops == 1 && peer.Fetches == 2, "a poll then a catch-up");
            Assert.That(peer.Idles, Is.Zero, "IDLE never sent to a server that does not offer it");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_dropped_server_is_reported_at_once_in_French_and_the_watcher_reconnects_after_a_backoff()
    {
        await using var peer = ScriptedImapPeer.Start();
        var watcher = Watcher(peer.Port);
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => peer.Idles == 1 && _status.IsConnected, "the first IDLE");

            peer.DropAll();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Until(() => !_status.IsConnected, "the loss reported");
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(_status.LastError, Does.Contain("connexion au serveur de messagerie"));
            await Task.Delay(200);
            Assert.That(peer.Connections, Is.EqualTo(1), "no reconnection before the backoff has passed");

            _clock.Advance(TimeSpan.FromSeconds(1));
            await Until(() => peer.Connections == 2 && peer.Idles == 2 && _status.IsConnected, "the reconnection");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }
}
