using System.Text;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MimeKit;
using MimeKit.Utils;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>
/// The walking skeleton through the real Dovecot/Postfix: A's message leaves as signed-and-encrypted S/MIME over SMTP
/// submission, B's watcher is woken by IMAP IDLE, opens and verifies it, and stores it with A as the verified signer.
/// </summary>
public class SecureMessageEndToEndTests
{
    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();


    [Test]
    public async Task A_message_crosses_the_mail_server_encrypted_and_arrives_verified_through_idle()
    {
        var marker = "marqueur-" + Guid.NewGuid().ToString("N");
        var text = $"Bonjour, photo de la plaie de M. L. à venir ; pouvez-vous passer demain ? {marker}";
        var patient = new PatientContext("DURAND", "Léa", "1948-05-12", "248057512345678", "1.2.250.1.213.1.4.10");
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        await julien.WaitUntilIdleAsync(TimeSpan.FromSeconds(30));

        var queued = await claire.SendDirectAsync(Julien, text, patient);

        var received = await TestWait.ForAsync(() => julien.Store.GetAsync(queued.MessageId), TimeSpan.FromSeconds(30), "the message in Julien's store");
        Assert.That(received.Direction, Is.EqualTo(MessageDirection.Incoming));
        Assert.That(received.Body, Is.EqualTo(text));
        var conversation = await julien.ConversationStore.GetAsync(received.Conversation!.Value);
        Assert.That(conversation!.Patient, Is.EqualTo(patient), "the patient context travels in the protected headers");
        Assert.That(received.Sender, Is.EqualTo(Claire.Address));
        Assert.That(received.Signature, Is.Not.Null);
        Assert.That(received.Signature!.Status, Is.EqualTo(OpenStatus.Verified), received.Signature.Detail);
        Assert.That(received.Signature.SignerName, Is.EqualTo("Claire MARTIN"));
        Assert.That(received.Signature.SignerRpps, Is.EqualTo(Claire.Rpps));
        Assert.That(received.Signature.Encrypted, Is.True);
        var sent = await TestWait.ForAsync(async () => await claire.Store.GetAsync(queued.MessageId) is { State: MessageState.Sent } m ? m : null,
            TimeSpan.FromSeconds(10), "the message marked sent in Claire's store");
        Assert.That(sent.SentAt, Is.Not.Null);

        // What the mail operator holds: read the raw message with a plain IMAP FETCH.
        var raw = await MailServerFixture.FetchRawAsync(Julien, queued.MessageId) ?? throw new AssertionException("not on the server");
        var wire = Encoding.Latin1.GetString(raw);
        Assert.That(wire, Does.Contain("application/pkcs7-mime"));
        Assert.That(MimeLoader.LoadMessage(raw).Subject, Is.EqualTo(MissHeaders.NeutralSubject), "the outer subject is the neutral one");
        Assert.That(wire, Does.Not.Contain(marker), "no plaintext of the message on the server");
        Assert.That(wire, Does.Not.Contain("plaie").IgnoreCase);
        Assert.That(wire, Does.Not.Contain("DURAND"), "no patient identity on the server");
        Assert.That(wire, Does.Not.Contain("248057512345678"), "no INS on the server");
        Assert.That(wire, Does.Not.Contain("X-MiSS-"), "MiSS headers travel inside the encrypted part only");
        Assert.That(wire, Does.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes(marker))[..20]));
        Assert.That(wire, Does.Contain("X-MSS-NIL: MiSS-TEST"));
    }
}
