using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MiSS.IntegrationTests.Api;
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

    [Test]
    public async Task The_api_lists_the_trail_in_pages_and_verifies_it_against_a_noted_head()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var message = await claire.SendDirectAsync(Julien, "Bonjour");
        await RecordAsync(claire, AuditKinds.MessageSent, message.MessageId);
        using var api = claire.Api();

        var all = (await ApiTests.JsonAsync(await api.GetAsync("/api/audit"), HttpStatusCode.OK)).AsArray();
        Assert.That(all.Select(r => (string?)r!["kind"]), Does.Contain(AuditKinds.TokenCreated).And.Contain(AuditKinds.MessageSent));
        Assert.That((long)all[0]!["seq"]!, Is.EqualTo(1));
        var page = (await ApiTests.JsonAsync(await api.GetAsync("/api/audit?after=1&limit=1"), HttpStatusCode.OK)).AsArray();
        Assert.That(page.Select(r => (long)r!["seq"]!), Is.EqualTo(new[] { 2L }));
        Assert.That((string?)page[0]!["prevHash"], Is.EqualTo((string?)all[0]!["hash"]), "each record points at the one before");

        var verified = await ApiTests.JsonAsync(await api.GetAsync("/api/audit/verify"), HttpStatusCode.OK);
        Assert.That((bool)verified["intact"]!, Is.True);
        Assert.That((long)verified["records"]!, Is.EqualTo(all.Count));
        var head = (string)verified["head"]!;
        Assert.That(head, Is.EqualTo($"{(long)all[^1]!["seq"]!}:{(string?)all[^1]!["hash"]}"));
        Assert.That((bool)(await ApiTests.JsonAsync(await api.GetAsync($"/api/audit/verify?head={head}"), HttpStatusCode.OK))["intact"]!, Is.True);

        // A head the chain does not reach: its tail was cut.
        var beyond = $"{all.Count + 5}:{new string('a', 64)}";
        var truncated = await ApiTests.JsonAsync(await api.GetAsync($"/api/audit/verify?head={beyond}"), HttpStatusCode.OK);
        Assert.That((bool)truncated["intact"]!, Is.False);
        Assert.That((string?)truncated["break"], Is.EqualTo("truncated"));
        await ApiTests.ProblemAsync(await api.GetAsync("/api/audit/verify?head=n'importe"), HttpStatusCode.BadRequest, "NUMÉRO:EMPREINTE");
        await ApiTests.ProblemAsync(await api.GetAsync("/api/audit?limit=5000"), HttpStatusCode.BadRequest, "entre 1 et 1000");
    }
}
