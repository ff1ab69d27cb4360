using Microsoft.Extensions.DependencyInjection;
using MiSS.Core.Audit;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>The audit trail of real instances exchanging a message through the real mail server.</summary>
public class AuditTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    static Task<AuditRecord> RecordAsync(MissInstance at, string kind, string messageId) =>
        TestWait.ForAsync(async () => (await at.Services.GetRequiredService<AuditTrail>().ListAsync(0, 1000))
            .FirstOrDefault(r => r.Kind == kind && r.MessageId == messageId), Patience, $"{kind} for {messageId} at {at.Practitioner.Id}'s");

    [Test]
    public async Task A_message_sent_and_received_is_in_both_trails_without_its_text_and_both_chains_verify()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var marker = "MARQUEUR-" + Guid.NewGuid().ToString("N");

        var message = await claire.SendDirectAsync(Julien, "La plaie de Mme D. " + marker);
        var sent = await RecordAsync(claire, AuditKinds.MessageSent, message.MessageId);
        var received = await RecordAsync(julien, AuditKinds.MessageReceived, message.MessageId);

        Assert.That(sent.Actor, Is.EqualTo(Claire.Address));
        Assert.That(sent.Conversation, Is.EqualTo(message.Conversation));
        Assert.That(sent.Detail, Does.Contain("1 destinataire(s) sur 1"));
        Assert.That(received.Actor, Is.EqualTo(Claire.Address));
        Assert.That(received.Detail, Is.EqualTo($"Verified, RPPS {Claire.Rpps}"));
        Assert.That(received.Conversation, Is.EqualTo((await julien.Store.GetAsync(message.MessageId))!.Conversation));
        foreach (var instance in new[] { claire, julien })
        {
            var audit = instance.Services.GetRequiredService<AuditTrail>();
            var records = await audit.ListAsync(0, 1000);
            Assert.That(records[0].Kind, Is.EqualTo(AuditKinds.TokenCreated), "the instance's own token, made at start");
            Assert.That(records.Where(r => $"{r.MessageId} {r.Actor} {r.Detail}".Contains(marker, StringComparison.Ordinal)), Is.Empty);
            var verification = await audit.VerifyAsync(await audit.HeadAsync());
            Assert.That(verification.IsIntact, Is.True, verification.Detail);
            Assert.That(verification.Records, Is.EqualTo(records.Count));
        }
    }
}
