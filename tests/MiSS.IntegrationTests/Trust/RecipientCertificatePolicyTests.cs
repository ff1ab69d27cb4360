using System.Net;
using System.Net.Http.Json;
using System.Text;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MiSS.IntegrationTests.Api;
using MimeKit;
using MimeKit.Utils;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Trust;

/// <summary>
/// A recipient whose encryption certificate is unknown, through the real mail server: by default the message is not
/// sent to them (refused at once when nobody could read it); with MiSS:Security:AllowTransportOnly they get it signed
/// but not encrypted, and both sides say so, while recipients with a known certificate still get it encrypted.
/// </summary>
public class RecipientCertificatePolicyTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    /// <summary>Claire's options, knowing only the certificates of <paramref name="known"/> (none learned from mail yet).</summary>
    static Core.Configuration.MissOptions ClaireKnowing(bool allowTransportOnly, params DevPractitioner[] known)
    {
        var options = MissInstance.OptionsKnowingNoCertificate(Claire);
        foreach (var p in known)
        {
            var certificate = MailServerFixture.Pki.CertificatePath(p);
            File.Copy(certificate, Path.Combine(options.Trust.CertificatesDirectory!, Path.GetFileName(certificate)));
        }
        options.Security.AllowTransportOnly = allowTransportOnly;
        return options;
    }

    [Test]
    public async Task By_default_a_message_nobody_could_decrypt_is_refused_before_it_is_stored()
    {
        await using var claire = await MissInstance.StartAsync(Claire, ClaireKnowing(allowTransportOnly: false));
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);

        var refused = await Assert.ThrowsAsync<RecipientCertificateMissingException>(() => claire.Conversations.SendTextAsync(conversation.Id, "Bonjour"));
        Assert.That(refused!.Message, Does.Contain(Julien.Address).And.Contain("aucun certificat de chiffrement").And.Contain("jamais en clair"));
        Assert.That(await claire.Store.ListConversationAsync(conversation.Id), Is.Empty, "nothing stored, nothing queued");

        using var api = claire.Api();
        await ApiTests.ProblemAsync(await api.PostAsJsonAsync($"/api/conversations/{conversation.Id}/messages", new { text = "Bonjour" }),
            HttpStatusCode.UnprocessableEntity, "aucun certificat de chiffrement valide connu pour " + Julien.Address);
    }

    [Test]
    public async Task By_default_a_group_member_without_certificate_is_skipped_with_a_reason_and_the_others_get_it_encrypted()
    {
        await using var claire = await MissInstance.StartAsync(Claire, ClaireKnowing(allowTransportOnly: false, Sophie));
        await using var sophie = await MissInstance.StartAsync(Sophie);
        var group = await claire.Conversations.CreateGroupAsync("Tournée", [Julien.Address, Sophie.Address]);
        var marker = "MARQUEUR-" + Guid.NewGuid().ToString("N");
        var sent = await claire.Conversations.SendTextAsync(group.Id, $"Passage à 14 h ({marker})");

        var atSophie = await TestWait.ForAsync(() => sophie.Store.GetAsync(sent.MessageId), Patience, "the message at Sophie's");
        Assert.That(atSophie.Signature, Is.Not.Null);
        Assert.That(atSophie.Signature!.IsVerified && atSophie.Signature.Encrypted, "Sophie's copy is signed and encrypted");

        var states = await claire.Store.RecipientStatesAsync(sent.Id);
        var julien = states.Single(s => s.Address == Julien.Address);
        Assert.That(julien.State, Is.EqualTo(DeliveryState.Failed));
        Assert.That(julien.Reason, Does.Contain("aucun certificat de chiffrement"));
        Assert.That(states.Single(s => s.Address == Sophie.Address).Protection, Is.EqualTo(Protection.EndToEnd));
        Assert.That(await MailServerFixture.FetchRawAsync(Julien, sent.MessageId), Is.Null, "nothing reached Julien's mailbox");
    }

    [Test]
    public async Task With_transport_only_allowed_the_unknown_recipient_gets_it_signed_and_both_sides_mark_it()
    {
        await using var claire = await MissInstance.StartAsync(Claire, ClaireKnowing(allowTransportOnly: true, Sophie));
        await using var julien = await MissInstance.StartAsync(Julien);
        await using var sophie = await MissInstance.StartAsync(Sophie);
        var group = await claire.Conversations.CreateGroupAsync("Tournée", [Julien.Address, Sophie.Address]);
        var marker = "MARQUEUR-" + Guid.NewGuid().ToString("N");
        var sent = await claire.Conversations.SendTextAsync(group.Id, $"Passage à 14 h ({marker})");

        // Receivers judge by what arrived: Julien's copy was not encrypted, Sophie's was; both signatures verify.
        var atJulien = await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the message at Julien's");
        var atSophie = await TestWait.ForAsync(() => sophie.Store.GetAsync(sent.MessageId), Patience, "the message at Sophie's");
        Assert.That(atJulien.Signature!.IsVerified, Is.True, atJulien.Signature.Detail);
        Assert.That(atJulien.Signature.Encrypted, Is.False);
        Assert.That(atJulien.Body, Does.Contain(marker));
        Assert.That(atSophie.Signature!.IsVerified && atSophie.Signature.Encrypted, "Sophie's copy is signed and encrypted");

        // On the server: Julien's copy is clear-signed and says so (inside the signed part); Sophie's never shows the text.
        var rawJulien = await MailServerFixture.FetchRawAsync(Julien, sent.MessageId);
        var rawSophie = await MailServerFixture.FetchRawAsync(Sophie, sent.MessageId);
        var julienCopy = MimeLoader.LoadMessage(rawJulien!);
        Assert.That(julienCopy.Body!.ContentType.MediaType + "/" + julienCopy.Body.ContentType.MediaSubtype, Is.EqualTo("multipart/signed"));
        Assert.That(((Multipart)julienCopy.Body)[0].Headers[MissHeaders.Protection], Is.EqualTo(MissHeaders.TransportProtection));
        Assert.That(Encoding.UTF8.GetString(rawSophie!), Does.Not.Contain(marker).And.Not.Contain(MissHeaders.Protection));

        // Claire's side: per recipient, and on the message as the API and the client show it.
        var states = await TestWait.ForAsync(async () =>
            (await claire.Store.RecipientStatesAsync(sent.Id)) is { } s && s.All(r => r.Protection is not null) ? s : null, Patience, "states");
        Assert.That(states.Single(s => s.Address == Julien.Address).Protection, Is.EqualTo(Protection.Transport));
        Assert.That(states.Single(s => s.Address == Sophie.Address).Protection, Is.EqualTo(Protection.EndToEnd));
        using var claireApi = claire.Api();
        var dto = await ApiTests.JsonAsync(await claireApi.GetAsync($"/api/messages/{Uri.EscapeDataString(sent.MessageId)}"), HttpStatusCode.OK);
        Assert.That((string?)dto["protection"], Is.EqualTo("transport"));
        Assert.That(dto["recipients"]!.AsArray().Select(r => $"{r!["address"]}={r["protection"]}"),
            Is.EquivalentTo(new[] { $"{Julien.Address}=transport", $"{Sophie.Address}=endToEnd" }));
        using var julienApi = julien.Api();
        var received = await ApiTests.JsonAsync(await julienApi.GetAsync($"/api/messages/{Uri.EscapeDataString(sent.MessageId)}"), HttpStatusCode.OK);
        Assert.That((string?)received["protection"], Is.EqualTo("transport"));
        using var sophieApi = sophie.Api();
        var encrypted = await ApiTests.JsonAsync(await sophieApi.GetAsync($"/api/messages/{Uri.EscapeDataString(sent.MessageId)}"), HttpStatusCode.OK);
        Assert.That((string?)encrypted["protection"], Is.EqualTo("endToEnd"));
    }
}
