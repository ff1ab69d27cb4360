using System.Text;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>What the inbox watcher does with what really lands in a mailbox: hostile mail, and mail that came while it was off.</summary>
public class InboxIntakeTests
{
    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();


    [Test]
    public async Task Bad_mail_is_quarantined_with_its_reason_and_the_next_message_still_arrives()
    {
        await using var sophie = await MissInstance.StartAsync(Sophie);
        await sophie.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));
        var plain = $"From: someone@dev.mssante.test\r\nTo: {Sophie.Address}\r\nSubject: hello\r\nMessage-ID: <plain-{Guid.NewGuid():N}@x.test>\r\n\r\nplain text\r\n";
        var garbage = $"From: {Claire.Address}\r\nMessage-ID: <garbage-{Guid.NewGuid():N}@x.test>\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nbm90IENNUw==\r\n";
        await MailServerFixture.Server.DeliverRawAsync(Sophie.Address, Encoding.ASCII.GetBytes(plain));
        await MailServerFixture.Server.DeliverRawAsync(Sophie.Address, Encoding.ASCII.GetBytes(garbage));

        await using var claire = await MissInstance.StartAsync(Claire);
        var queued = await claire.SendDirectAsync(Sophie, "Pouvez-vous confirmer la posologie ?");

        var received = await TestWait.ForAsync(() => sophie.Store.GetAsync(queued.MessageId), TimeSpan.FromSeconds(30), "the good message");
        Assert.That(received.Signature!.IsVerified, Is.True);
        var quarantine = await sophie.Store.ListQuarantineAsync();
        Assert.That(quarantine.Select(q => q.Reason), Is.EquivalentTo(new[] { nameof(OpenStatus.NotSmime), nameof(OpenStatus.DecryptionFailed) }));
        Assert.That(quarantine.All(q => q.Detail.Length > 0), Is.True);
        Assert.That(sophie.Inbox.LastError, Is.Null);
    }

    [Test]
    public async Task Messages_that_arrive_while_the_service_is_stopped_are_taken_at_restart_exactly_once()
    {
        var options = MissInstance.OptionsFor(Sophie);
        string first, second;
        await using (var claire = await MissInstance.StartAsync(Claire))
        {
            // Sophie's service runs once to record its position, then stops.
            await using (var sophie = await MissInstance.StartAsync(Sophie, options, keepData: true))
            {
                await sophie.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));
                first = (await claire.SendDirectAsync(Sophie, "premier")).MessageId;
                await TestWait.ForAsync(() => sophie.Store.GetAsync(first), TimeSpan.FromSeconds(30), "the first message");
            }
            second = (await claire.SendDirectAsync(Sophie, "second, pendant l'arrêt")).MessageId;
            await TestWait.ForAsync(async () => await claire.Store.GetAsync(second) is { State: Core.Messaging.MessageState.Sent } m ? m : null,
                TimeSpan.FromSeconds(30), "the second message sent");
        }

        await using var restarted = await MissInstance.StartAsync(Sophie, options);
        var received = await TestWait.ForAsync(() => restarted.Store.GetAsync(second), TimeSpan.FromSeconds(30), "the message sent while stopped");
        await restarted.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));

        Assert.That(received.Body, Is.EqualTo("second, pendant l'arrêt"));
        var all = await restarted.Store.ListAsync(100);
        Assert.That(all.Count(m => m.MessageId == first), Is.EqualTo(1));
        Assert.That(all.Count(m => m.MessageId == second), Is.EqualTo(1));
    }
}
