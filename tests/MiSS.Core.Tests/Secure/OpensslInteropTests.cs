using System.Text;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MimeKit;
using MimeKit.Utils;
using MiSS.Core.Messaging;
using static MiSS.Core.Tests.Secure.SmimeFixtures;

namespace MiSS.Core.Tests.Secure;

/// <summary>Interop with an independent S/MIME implementation: OpenSSL's `cms` command.</summary>
public class OpensslInteropTests
{
    string _work = "";

    [SetUp]
    public void RequireOpenssl()
    {
        if (!CommandRunner.IsOnPath("openssl"))
        {
            Assert.Ignore("openssl is not installed (./build.sh setup installs it)");
        }
        _work = Directory.CreateTempSubdirectory("miss-openssl-").FullName;
    }

    [TearDown]
    public void Clean() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task Openssl_decrypts_and_verifies_what_MiSS_sends()
    {
        const string text = "Ordonnance de Mme D. : amoxicilline 1 g x3/j, à confirmer. Marqueur-openssl-1";
        var seal = new SmimeSeal(TestPki.Trust(), TimeProvider.System);
        var body = seal.SignAndEncrypt(Content(text, TestPki.Claire), Certificate(TestPki.Claire), [Certificate(TestPki.Julien)]);
        var sent = Path.Combine(_work, "sent.eml");
        await File.WriteAllBytesAsync(sent, MimeBytes.Canonical(Envelope(TestPki.Claire.Address, body)));
        var pki = TestPki.Pki;

        var decrypted = Path.Combine(_work, "decrypted.eml");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-decrypt", "-in", sent, "-out", decrypted,
            "-recip", pki.CertificatePath(TestPki.Julien), "-inkey", pki.KeyPath(TestPki.Julien)]);
        var verified = await CommandRunner.RunAsync("openssl", ["cms", "-verify", "-in", decrypted,
            "-CAfile", pki.TrustAnchorsPath, "-purpose", "smimesign"]);

        Assert.That(verified.StandardError, Does.Contain("Verification successful"), verified.StandardError);
        Assert.That(verified.ExitCode, Is.Zero);
        var content = MimeLoader.LoadEntity(Encoding.UTF8.GetBytes(verified.StandardOutput));
        Assert.That(((TextPart)content).Text.TrimEnd(), Is.EqualTo(text));
    }

    [Test]
    public async Task MiSS_opens_what_openssl_signed_and_encrypted()
    {
        const string text = "Réponse : pansement gras, revoir à J3. Marqueur-openssl-2";
        var pki = TestPki.Pki;
        var inner = Path.Combine(_work, "inner.txt");
        await File.WriteAllTextAsync(inner, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text + "\r\n");
        var signed = Path.Combine(_work, "signed.eml");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-sign", "-in", inner, "-out", signed,
            "-signer", pki.CertificatePath(TestPki.Julien), "-inkey", pki.KeyPath(TestPki.Julien), "-certfile", pki.IntermediatesPath,
            "-md", "sha256"]);
        var encrypted = Path.Combine(_work, "encrypted.eml");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-encrypt", "-in", signed, "-out", encrypted, "-aes256",
            "-from", TestPki.Julien.Address, "-to", TestPki.Claire.Address, "-subject", "Message sécurisé",
            pki.CertificatePath(TestPki.Claire)]);

        var message = MimeLoader.LoadMessage(await File.ReadAllBytesAsync(encrypted));
        var opened = OpenerFor(TestPki.Claire).Open(message);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(opened.Signer!.DisplayName, Is.EqualTo("Julien BERNARD"));
        Assert.That(opened.Signer.Rpps, Is.EqualTo("10101234572"));
        Assert.That(((TextPart)opened.Content!).Text.TrimEnd(), Is.EqualTo(text));
    }

    [Test]
    public async Task MiSS_refuses_an_openssl_message_whose_signed_part_was_altered()
    {
        var pki = TestPki.Pki;
        var inner = Path.Combine(_work, "inner.txt");
        await File.WriteAllTextAsync(inner, "Content-Type: text/plain; charset=us-ascii\r\n\r\nDose: 1 g\r\n");
        var signed = Path.Combine(_work, "signed.eml");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-sign", "-in", inner, "-out", signed,
            "-signer", pki.CertificatePath(TestPki.Julien), "-inkey", pki.KeyPath(TestPki.Julien), "-certfile", pki.IntermediatesPath]);
        var tampered = (await File.ReadAllTextAsync(signed)).Replace("Dose: 1 g", "Dose: 9 g");

        var message = MimeLoader.LoadMessage(Encoding.UTF8.GetBytes($"From: {TestPki.Julien.Address}\r\n" + tampered));
        var opened = OpenerFor(TestPki.Claire).Open(message);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.SignatureInvalid));
    }
}
