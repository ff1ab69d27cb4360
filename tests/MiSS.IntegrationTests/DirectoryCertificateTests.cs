using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MiSS.Core.Audit;
using MiSS.Core.Messaging;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using static MiSS.Core.Tests.PractitionerDirectory.AnnuaireBundles;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>
/// The national directory in a real exchange: a recipient's certificate known only from an imported Annuaire Santé
/// bundle, and a verified signer that the directory names otherwise.
/// </summary>
public class DirectoryCertificateTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    static Task<DirectoryImportResult> ImportAsync(MissInstance at, string bundle) =>
        new AnnuaireFhirImporter(at.Services.GetRequiredService<DirectoryStore>(), at.Store)
            .ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(bundle)));

    static Task<StoredMessage> StoredAsync(MissInstance at, string messageId) =>
        TestWait.ForAsync(() => at.Store.GetAsync(messageId), Patience, $"{messageId} at {at.Practitioner.Id}'s");

    [Test]
    public async Task A_recipient_known_only_from_the_directory_gets_an_encrypted_message_that_opens_verified()
    {
        // Claire has no certificate folder and has never heard from Julien: only the directory can give his key.
        await using var claire = await MissInstance.StartAsync(Claire, MissInstance.OptionsKnowingNoCertificate(Claire));
        await using var julien = await MissInstance.StartAsync(Julien);
        var recipients = claire.Services.GetRequiredService<RecipientCertificates>();
        Assert.That(await recipients.FindAsync(Julien.Address), Is.Null, "no certificate for Julien before the import");

        var certificate = MailServerFixture.Pki.LoadPractitioner(Julien);
        var imported = await ImportAsync(claire, Bundle(
            Practitioner(Julien, "julien", Mailbox(Julien.Address)),
            Role("julien-role", "julien", extension: Certificate(Base64Der(certificate), certificate))));
        Assert.That((imported.Imported, imported.Certificates, imported.Rejected.Count), Is.EqualTo((1L, 1L, 0)));
        Assert.That((await recipients.FindAsync(Julien.Address))?.Thumbprint, Is.EqualTo(certificate.Thumbprint));

        var sent = await claire.SendDirectAsync(Julien, "Bilan reçu, je vous rappelle");
        var received = await StoredAsync(julien, sent.MessageId);
        Assert.That(received.Signature!.Status, Is.EqualTo(OpenStatus.Verified), received.Signature.Detail);
        Assert.That(received.Signature.Encrypted, Is.True);
        Assert.That(received.Body, Does.Contain("Bilan reçu"));
        await TestWait.ForAsync(async () => await claire.Store.GetAsync(sent.MessageId) is { State: MessageState.Sent } m ? m : null,
            Patience, "sent at Claire's");
    }

    [Test]
    public async Task A_verified_signer_the_directory_names_under_another_rpps_is_stored_shown_and_audited_as_a_mismatch()
    {
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        // Julien's directory has Claire's address under another practitioner's RPPS.
        await ImportAsync(julien, Bundle(Practitioner(Claire, "claire", Mailbox(Claire.Address), nationalId: "8" + Sophie.Rpps)));

        var sent = await claire.SendDirectAsync(Julien, "Pouvez-vous passer demain ?");
        var received = await StoredAsync(julien, sent.MessageId);
        Assert.That(received.Signature!.IsVerified, Is.True, "a valid signature all the same");
        Assert.That(received.Signature.Directory?.Status, Is.EqualTo(DirectoryCheckStatus.Mismatch));

        using var api = julien.Api();
        var message = (await api.GetFromJsonAsync<JsonNode>($"/api/messages/{Uri.EscapeDataString(sent.MessageId)}"))!;
        var directory = message["signature"]!["directory"]!;
        Assert.That((string?)directory["status"], Is.EqualTo("mismatch"));
        Assert.That((string?)directory["detail"], Does.Contain(Claire.Rpps).And.Contain(Sophie.Rpps));

        var audit = await julien.Services.GetRequiredService<AuditTrail>().ListAsync(0, 100);
        var mismatch = audit.Single(r => r.Kind == AuditKinds.SignerDirectoryMismatch);
        Assert.That(mismatch.MessageId, Is.EqualTo(sent.MessageId));
        Assert.That(mismatch.Detail, Does.Contain(Sophie.Rpps).And.Not.Contain("demain"));

        // With no directory entry for the sender, the check says so without alarm.
        var back = await julien.Conversations.SendTextAsync(received.Conversation!.Value, "Oui, vers 10 h");
        var atClaire = await StoredAsync(claire, back.MessageId);
        Assert.That(atClaire.Signature!.Directory?.Status, Is.EqualTo(DirectoryCheckStatus.Absent));
    }
}
