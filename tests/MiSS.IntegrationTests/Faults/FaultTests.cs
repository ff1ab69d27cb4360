using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MiSS.Core.Messaging;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Faults;

/// <summary>
/// Faults on the real mail server and a real service process: Postfix stopped during a burst, Dovecot restarted under
/// an idle watcher, the sending service killed mid-burst. Every time, every message arrives exactly once.
/// </summary>
public class FaultTests
{
    const int Burst = 200;
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    /// <summary>Waits until every one of <paramref name="messageIds"/> is stored at <paramref name="receiver"/>, then checks each is there once.</summary>
    static async Task AllArrivedOnceAsync(MissInstance receiver, IReadOnlyCollection<string> messageIds)
    {
        await TestWait.ForAsync(async () =>
        {
            var stored = (await receiver.Store.ListAsync(100_000)).Select(m => m.MessageId).ToHashSet();
            return messageIds.All(stored.Contains) ? "all" : null;
        }, Patience, $"all {messageIds.Count} messages at {receiver.Practitioner.Id}'s");
        var received = (await receiver.Store.ListAsync(100_000)).Where(m => m.Direction == MessageDirection.Incoming && m.Kind == MessageKind.Text).ToList();
        Assert.That(received.Select(m => m.MessageId), Is.Unique);
        Assert.That(received.Select(m => m.MessageId), Is.EquivalentTo(messageIds), "each message once, and nothing else");
        Assert.That(received.All(m => m.Signature!.IsVerified), Is.True);
    }

    [Test]
    public async Task Postfix_stopped_during_a_burst_of_200_then_restarted_every_message_arrives_once()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        var ids = new List<string>();
        for (var i = 0; i < Burst; i++)
        {
            ids.Add((await claire.Conversations.SendTextAsync(conversation.Id, $"Rafale {i:D3}")).MessageId);
        }
        await TestWait.ForAsync(async () => (await claire.Store.ListAsync(1000)).Count(m => m.State == MessageState.Sent) >= 20 ? "some" : null,
            Patience, "the first messages sent");

        await MailServerFixture.Server.StopPostfixAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.That((await claire.Store.ListAsync(1000)).Count(m => m.State == MessageState.Queued), Is.GreaterThan(0), "the outage caught the burst");
        }
        finally
        {
            await MailServerFixture.Server.StartPostfixAsync();
        }

        await AllArrivedOnceAsync(julien, ids);
        Assert.That((await claire.Store.ListAsync(1000)).Where(m => ids.Contains(m.MessageId)).Select(m => m.State), Is.All.EqualTo(MessageState.Sent));
    }

    [Test]
    public async Task Dovecot_restarted_under_an_idle_watcher_every_message_arrives_once()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        await julien.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await claire.Conversations.SendTextAsync(conversation.Id, $"Avant {i}")).MessageId);
        }
        await TestWait.ForAsync(async () => await julien.Store.GetAsync(ids[^1]), Patience, "the first ten");

        await MailServerFixture.Server.StopDovecotAsync();
        try
        {
            // Written while the mailbox server is down: submission (its SASL is Dovecot's) and delivery wait.
            for (var i = 0; i < 10; i++)
            {
                ids.Add((await claire.Conversations.SendTextAsync(conversation.Id, $"Pendant {i}")).MessageId);
            }
            await TestWait.ForAsync(() => Task.FromResult(julien.Inbox.IsConnected ? null : "lost"), TimeSpan.FromSeconds(30), "the watcher noticing");
        }
        finally
        {
            await MailServerFixture.Server.StartDovecotAsync();
        }
        await julien.WaitUntilIdleAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await claire.Conversations.SendTextAsync(conversation.Id, $"Après {i}")).MessageId);
        }

        await AllArrivedOnceAsync(julien, ids);
    }

    [Test]
    public async Task The_sending_service_killed_mid_burst_and_started_again_every_message_arrives_once()
    {
        await using var julien = await MissInstance.StartAsync(Julien);
        await using var claire = await ServiceProcess.StartAsync(Claire);
        using var api = claire.Api();
        var conversation = JsonNode.Parse(await (await api.PostAsJsonAsync("/api/conversations", new { peer = Julien.Address }))
            .Content.ReadAsStringAsync())!;
        var ids = new List<string>();
        for (var i = 0; i < Burst; i++)
        {
            // Accepted means stored: the API answers only once the message is in the outbox.
            var response = await api.PostAsJsonAsync($"/api/conversations/{(long)conversation["id"]!}/messages", new { text = $"Rafale {i:D3}" });
            Assert.That(response.IsSuccessStatusCode, Is.True);
            ids.Add((string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["messageId"]!);
        }
        await TestWait.ForAsync(async () => (await julien.Store.ListAsync(1000)).Count >= 30 ? "some" : null, Patience, "the first messages arriving");

        await claire.KillAsync();
        var arrivedBeforeRestart = (await julien.Store.ListAsync(1000)).Count;
        Assert.That(arrivedBeforeRestart, Is.LessThan(Burst), "killed mid-burst");
        await claire.RestartAsync();

        await AllArrivedOnceAsync(julien, ids);
        TestContext.Out.WriteLine($"{arrivedBeforeRestart} arrived before the kill, the rest after the restart");
    }
}
