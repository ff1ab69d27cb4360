using System.Text;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>
/// A correspondent without MiSS: what they read (openssl cms opens a MiSS message, the text and footer show), and their
/// replies composed by an independent mail library (Python's email package, openssl cms for S/MIME, smtplib), which must
/// land in the right conversation with their security state shown truthfully.
/// </summary>
public class MailClientInteropTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    [TestCase("signed-encrypted", OpenStatus.Verified, true)]
    [TestCase("signed", OpenStatus.Verified, false)]
    [TestCase("plain", OpenStatus.NotSmime, false)]
    public async Task A_reply_from_an_ordinary_mail_client_lands_in_the_conversation_with_its_true_security_state(
        string mode, OpenStatus expected, bool encrypted)
    {
        RequireTool("python3");
        RequireTool("openssl");
        await using var claire = await MissInstance.StartAsync(Claire);
        var question = await claire.SendDirectAsync(Julien, "Pouvez-vous confirmer la dose d'amoxicilline ?");
        await TestWait.ForAsync(async () => await claire.Store.GetAsync(question.MessageId) is { State: MessageState.Sent } m ? m : null,
            Patience, "the question sent");

        var replyId = await ReplyFromMailClientAsync(Julien, Claire, question.MessageId, $"Confirmé : 1 g trois fois par jour ({mode}).", mode);

        var reply = await TestWait.ForAsync(() => claire.Store.GetAsync(replyId), Patience, "the mail client's reply at Claire's");
        Assert.That(reply.Conversation, Is.EqualTo(question.Conversation), "threaded by In-Reply-To into the right conversation");
        Assert.That(reply.Body, Does.StartWith($"Confirmé : 1 g trois fois par jour ({mode})."));
        Assert.That(reply.Signature!.Status, Is.EqualTo(expected), reply.Signature.Detail);
        Assert.That(reply.Signature.Encrypted, Is.EqualTo(encrypted));
        if (expected == OpenStatus.Verified)
        {
            Assert.That(reply.Signature.SignerName, Is.EqualTo("Julien BERNARD"));
            Assert.That(reply.Signature.SignerRpps, Is.EqualTo(Julien.Rpps));
        }
    }

    [Test]
    public async Task A_recipient_without_MiSS_reads_the_text_and_the_footer_with_any_smime_client()
    {
        RequireTool("openssl");
        await using var claire = await MissInstance.StartAsync(Claire);
        var sent = await claire.SendDirectAsync(Julien, "Texte lisible partout");
        var raw = await TestWait.ForAsync(() => MailServerFixture.FetchRawAsync(Julien, sent.MessageId), Patience, "the message in Julien's mailbox");
        var pki = MailServerFixture.Pki;
        var work = Directory.CreateTempSubdirectory("miss-interop-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(work, "in.eml"), raw);
            await CommandRunner.RunCheckedAsync("openssl", ["cms", "-decrypt", "-in", Path.Combine(work, "in.eml"), "-out", Path.Combine(work, "signed.eml"),
                "-recip", pki.CertificatePath(Julien), "-inkey", pki.KeyPath(Julien)]);
            var verified = await CommandRunner.RunCheckedAsync("openssl", ["cms", "-verify", "-in", Path.Combine(work, "signed.eml"),
                "-CAfile", pki.TrustAnchorsPath, "-purpose", "smimesign"]);
            var text = Encoding.UTF8.GetString(MiSS.Core.Messaging.MimeLoader.LoadEntity(Encoding.UTF8.GetBytes(verified.StandardOutput)) is MimeKit.MimePart part
                ? MiSS.Core.Messaging.MimeBytes.Decoded(part) : []);
            Assert.That(text, Does.Contain("Texte lisible partout"));
            Assert.That(text, Does.Contain("\r\n-- \r\n" + MissHeaders.Footer));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static async Task<string> ReplyFromMailClientAsync(DevPractitioner from, DevPractitioner to, string inReplyTo, string text, string mode)
    {
        var pki = MailServerFixture.Pki;
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "mail_client_reply.py");
        var result = await CommandRunner.RunCheckedAsync("python3", [script, "--from", from.Address, "--to", to.Address, "--text", text,
            "--in-reply-to", inReplyTo, "--mode", mode, "--signer-cert", pki.CertificatePath(from), "--signer-key", pki.KeyPath(from),
            "--chain", pki.IntermediatesPath, "--recipient-cert", pki.CertificatePath(to),
            "--smtp-port", MailServerFixture.Server.Ports.Smtp.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return result.StandardOutput.Trim();
    }

    static void RequireTool(string tool)
    {
        if (!CommandRunner.IsOnPath(tool))
        {
            Assert.Fail($"{tool} is not installed: ./build.sh setup installs it");
        }
    }
}
