using System.Text;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MimeKit;
using static MiSS.Core.Tests.Secure.SmimeFixtures;

namespace MiSS.Core.Tests.Secure;

/// <summary>
/// Messages built by other implementations (Python's email package, OpenSSL's cms command) that the product must open:
/// charsets .NET lacks, RSASSA-PSS with any salt length, authEnveloped-data (AES-GCM), a leading byte-order mark, and
/// headers that must come back byte for byte.
/// </summary>
public class ForeignMessageInteropTests
{
    string _work = "";

    [SetUp]
    public void RequireTools()
    {
        if (!CommandRunner.IsOnPath("openssl") || !CommandRunner.IsOnPath("python3"))
        {
            Assert.Ignore("openssl and python3 are needed (./build.sh setup installs them)");
        }
        _work = Directory.CreateTempSubdirectory("miss-foreign-").FullName;
    }

    [TearDown]
    public void Clean() => Directory.Delete(_work, recursive: true);

    // ---- Charsets .NET lacks ----

    [TestCase("utf-7")]
    [TestCase("x-charset-inconnu")]
    public async Task A_message_in_a_charset_dotnet_lacks_is_opened_and_its_text_read(string charset)
    {
        const string text = "Résultat : HbA1c à 7,2 % — contrôle dans 3 mois.\nBien à vous.";
        const string subject = "Bilan de Mme Lefèvre";
        // Python writes the body and the encoded-word subject in the charset (UTF-8 bytes under an unknown name).
        var inner = await PythonAsync($$"""
            import sys, base64, email.policy
            from email.message import Message
            from email.header import Header
            charset = {{Py(charset)}}
            codec = 'utf-7' if charset == 'utf-7' else 'utf-8'
            m = Message()
            m['From'] = {{Py(TestPki.Julien.Address)}}
            m['Subject'] = '=?' + charset + '?B?' + base64.b64encode({{Py(subject)}}.encode(codec)).decode() + '?='
            m['Content-Type'] = 'text/plain; charset=' + charset
            m['Content-Transfer-Encoding'] = '7bit' if codec == 'utf-7' else '8bit'
            m.set_payload({{Py(text)}}.replace('\n', '\r\n').encode(codec))
            sys.stdout.buffer.write(m.as_bytes(policy=email.policy.SMTP))
            """);

        var fromHeader = $"=?{charset}?B?{Convert.ToBase64String(Encode(charset, "Julien Bérnard"))}?= <{TestPki.Julien.Address}>";
        var message = await SignAndEncryptAsync(inner, TestPki.Julien, TestPki.Claire, fromHeader: fromHeader);
        Assert.That(Encoding.ASCII.GetString(MimeBytes.Canonical(message)), Does.Contain("From: " + fromHeader));
        var opened = OpenerFor(TestPki.Claire).Open(message);
        var (read, _) = ReceivedMessageReader.Read(message, opened);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(read.Body, Is.EqualTo(text));
        Assert.That(read.Subject, Is.EqualTo(subject));
        Assert.That(read.Sender, Is.EqualTo(TestPki.Julien.Address));
        Assert.That(read.SenderDisplayName, Is.EqualTo("Julien Bérnard"));
    }

    // ---- RSASSA-PSS ----

    [TestCase("20")]
    [TestCase("32")]
    [TestCase("48")]
    [TestCase("digest")]
    [TestCase("max")]
    public async Task An_rsassa_pss_signature_verifies_whatever_its_salt_length(string saltLength)
    {
        const string text = "Signé en RSASSA-PSS par OpenSSL.";
        var message = await SignAndEncryptAsync(TextEntity(text), TestPki.Julien, TestPki.Claire,
            ["-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:" + saltLength]);

        var opened = OpenerFor(TestPki.Claire).Open(message);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(((TextPart)opened.Content!).Text.TrimEnd(), Is.EqualTo(text));
    }

    [TestCase("20")]
    [TestCase("max")]
    public async Task An_rsassa_pss_signature_over_altered_content_is_refused(string saltLength)
    {
        var signed = await SignAsync(TextEntity("Dose : 1 g"), TestPki.Julien,
            ["-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:" + saltLength]);
        var tampered = Encoding.UTF8.GetString(signed).Replace("Dose : 1 g", "Dose : 9 g");

        var message = MimeLoader.LoadMessage(Encoding.UTF8.GetBytes($"From: {TestPki.Julien.Address}\r\n" + tampered));
        var opened = OpenerFor(TestPki.Claire).Open(message);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.SignatureInvalid), opened.Detail);
    }

    [TestCase("20")]
    [TestCase("max")]
    public async Task An_rsassa_pss_signature_whose_value_was_altered_is_refused(string saltLength)
    {
        var signed = await SignAsync(TextEntity("Dose : 1 g"), TestPki.Julien,
            ["-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:" + saltLength]);
        var message = MimeLoader.LoadMessage([.. Encoding.ASCII.GetBytes($"From: {TestPki.Julien.Address}\r\n"), .. signed]);
        var signaturePart = (MimePart)((Multipart)message.Body!)[1];
        var cms = MimeBytes.Decoded(signaturePart);
        cms[^1] ^= 0x01; // the SignerInfo's signature value ends the structure
        signaturePart.Content = new MimeContent(new MemoryStream(cms));

        var opened = OpenerFor(TestPki.Claire).Open(OverTheWire(message));

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.SignatureInvalid), opened.Detail);
        Assert.That(opened.Detail, Does.Contain("altéré"), "read, then refused by the signature check");
    }

    // ---- authEnveloped-data ----

    [TestCase("-aes-256-gcm", null)]
    [TestCase("-aes-128-gcm", null)]
    [TestCase("-aes-256-gcm", "oaep")]
    public async Task An_auth_enveloped_message_from_openssl_is_decrypted_then_verified(string cipher, string? keyTransport)
    {
        const string text = "Chiffré en AES-GCM (authEnveloped-data) par OpenSSL.";
        string[] options = keyTransport is null ? [cipher] : [cipher, "-recip", TestPki.Pki.CertificatePath(TestPki.Claire), "-keyopt", "rsa_padding_mode:" + keyTransport];
        var message = await SignAndEncryptAsync(TextEntity(text), TestPki.Julien, TestPki.Claire, encryptOptions: options);
        Assert.That(message.Body!.ContentType.Parameters["smime-type"], Is.EqualTo("authEnveloped-data"));

        var opened = OpenerFor(TestPki.Claire).Open(message);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(opened.WasEncrypted, Is.True);
        Assert.That(((TextPart)opened.Content!).Text.TrimEnd(), Is.EqualTo(text));
    }

    [TestCase(19, TestName = "An_auth_enveloped_message_with_altered_ciphertext_is_refused")]
    [TestCase(1, TestName = "An_auth_enveloped_message_with_altered_tag_is_refused")]
    public async Task An_altered_auth_enveloped_message_is_refused(int fromEnd)
    {
        var der = await AuthEnvelopedDerAsync(TextEntity("Contenu à protéger."));
        // DER: ... encryptedContent, then the 16-byte mac last: 19 bytes from the end is the last ciphertext byte.
        der[^fromEnd] ^= 0x01;

        var opened = OpenerFor(TestPki.Claire).Open(AuthEnvelopedMessage(der));

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.DecryptionFailed), opened.Detail);
    }

    [Test]
    public async Task An_auth_enveloped_message_for_another_recipient_is_refused()
    {
        var der = await AuthEnvelopedDerAsync(TextEntity("Pour Julien seulement."), TestPki.Julien);

        var opened = OpenerFor(TestPki.Claire).Open(AuthEnvelopedMessage(der));

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.DecryptionFailed), opened.Detail);
    }

    [Test]
    public async Task An_auth_enveloped_message_with_a_cipher_other_than_gcm_is_refused_with_a_reason()
    {
        var der = await AuthEnvelopedDerAsync(TextEntity("Contenu à protéger."));
        byte[] aes256Gcm = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e];
        var at = der.AsSpan().IndexOf(aes256Gcm);
        Assert.That(at, Is.GreaterThan(0));
        der[at + aes256Gcm.Length - 1] = 0x2a; // id-aes256-CBC: not an authenticated cipher

        var opened = OpenerFor(TestPki.Claire).Open(AuthEnvelopedMessage(der));

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.DecryptionFailed));
        Assert.That(opened.Detail, Does.Contain("non pris en charge"));
    }

    [Test]
    public void An_auth_enveloped_part_that_is_not_cms_is_refused_with_a_reason()
    {
        var opened = OpenerFor(TestPki.Claire).Open(AuthEnvelopedMessage([0x30, 0x03, 0x02, 0x01, 0x00]));

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.DecryptionFailed));
        Assert.That(opened.Detail, Does.Contain("chiffré"));
    }

    // ---- Byte-order mark ----

    [Test]
    public async Task A_message_starting_with_a_utf8_byte_order_mark_keeps_its_headers()
    {
        var raw = await PythonAsync("""
            import sys, email.policy
            from email.message import EmailMessage
            m = EmailMessage()
            m['From'] = 'Julien BERNARD <julien.bernard@dev.mssante.test>'
            m['To'] = 'claire.martin@dev.mssante.test'
            m['Subject'] = 'Précédé d’une marque d’ordre des octets'
            m['Message-ID'] = '<bom-1@dev.mssante.test>'
            m.set_content('Bonjour.')
            sys.stdout.buffer.write(b'\xef\xbb\xbf' + m.as_bytes(policy=email.policy.SMTP))
            """);

        var message = MimeLoader.LoadMessage(raw);

        Assert.That(message.From.Mailboxes.Single().Address, Is.EqualTo("julien.bernard@dev.mssante.test"));
        Assert.That(message.MessageId, Is.EqualTo("bom-1@dev.mssante.test"));
        Assert.That(message.Subject, Is.EqualTo("Précédé d’une marque d’ordre des octets"));
        Assert.That(((TextPart)message.Body!).Text.TrimEnd(), Is.EqualTo("Bonjour."));
    }

    // ---- Headers written back as read ----

    [Test]
    public async Task Reading_then_writing_a_message_keeps_its_valid_headers_byte_for_byte()
    {
        var raw = await PythonAsync("""
            import sys, email.policy
            from email.message import EmailMessage
            m = EmailMessage(policy=email.policy.SMTP)
            m['From'] = 'Dr Éloïse Château-Lefèvre <eloise.chateau@dev.mssante.test>'
            m['To'] = ', '.join('Destinataire numéro %d <dest%d@dev.mssante.test>' % (i, i) for i in range(6))
            m['Subject'] = 'Compte rendu opératoire très détaillé — ' + 'suite du traitement, ' * 6 + '漢字 et emoji 🩺'
            m['Message-ID'] = '<python-1@dev.mssante.test>'
            m['References'] = ' '.join('<ref-%d-%s@dev.mssante.test>' % (i, 'x' * 20) for i in range(5))
            m['Date'] = 'Tue, 01 Dec 2026 09:30:00 +0100'
            m['X-Folded'] = 'a long unstructured value that python folds because it is much longer than seventy-eight characters on one line'
            m.set_content('Texte du message.\n')
            m.add_attachment(b'%PDF-1.4 compte rendu', maintype='application', subtype='pdf',
                             filename='Compte rendu opératoire de Mme Lefèvre, très détaillé, du premier décembre.pdf')
            sys.stdout.buffer.write(m.as_bytes())
            """);
        var headerEnd = IndexOf(raw, "\r\n\r\n"u8) + 4;
        Assert.That(Encoding.ASCII.GetString(raw, 0, headerEnd), Does.Contain("=?utf-8?").And.Contain("\r\n "), "Python encoded and folded");
        Assert.That(Encoding.ASCII.GetString(raw), Does.Contain("filename*0*="), "and wrote an RFC 2231 parameter in a part's header");

        var written = MimeBytes.Canonical(MimeLoader.LoadMessage(raw));

        Assert.That(Encoding.ASCII.GetString(written, 0, Math.Min(written.Length, headerEnd)), Is.EqualTo(Encoding.ASCII.GetString(raw, 0, headerEnd)));
        Assert.That(written, Is.EqualTo(raw));
    }

    // ---- Helpers ----

    /// <summary>Text in <paramref name="charset"/>: UTF-7 by .NET's own (obsolete) encoder, anything else as UTF-8 bytes.</summary>
    static byte[] Encode(string charset, string text) =>
#pragma warning disable SYSLIB0001
        charset == "utf-7" ? new UTF7Encoding().GetBytes(text) : Encoding.UTF8.GetBytes(text);
#pragma warning restore SYSLIB0001

    static MimeEntity TextEntity(string text)
    {
        var part = MimeTest.Text(text);
        part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        return part;
    }

    Task<MimeMessage> SignAndEncryptAsync(MimeEntity inner, DevPractitioner from, DevPractitioner to,
        string[]? signOptions = null, string[]? encryptOptions = null) =>
        SignAndEncryptAsync(MimeBytes.Canonical(inner), from, to, signOptions, encryptOptions);

    /// <summary>openssl cms -sign (multipart/signed) then -encrypt, read back as a received message.</summary>
    async Task<MimeMessage> SignAndEncryptAsync(byte[] inner, DevPractitioner from, DevPractitioner to,
        string[]? signOptions = null, string[]? encryptOptions = null, string? fromHeader = null)
    {
        var signedPath = Path.Combine(_work, "signed.eml");
        await File.WriteAllBytesAsync(signedPath, await SignAsync(inner, from, signOptions));
        var encrypted = Path.Combine(_work, "encrypted.eml");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-encrypt", "-in", signedPath, "-out", encrypted,
            "-from", fromHeader ?? from.Address, "-to", to.Address, "-subject", "Message sécurisé",
            .. encryptOptions is { } given && given.Contains("-recip") ? given : [.. encryptOptions ?? ["-aes256"], TestPki.Pki.CertificatePath(to)]]);
        return MimeLoader.LoadMessage(await File.ReadAllBytesAsync(encrypted));
    }

    Task<byte[]> SignAsync(MimeEntity inner, DevPractitioner signer, string[]? options = null) =>
        SignAsync(MimeBytes.Canonical(inner), signer, options);

    async Task<byte[]> SignAsync(byte[] inner, DevPractitioner signer, string[]? options = null)
    {
        var pki = TestPki.Pki;
        var innerPath = Path.Combine(_work, "inner.eml");
        await File.WriteAllBytesAsync(innerPath, inner);
        var signed = Path.Combine(_work, "signed-only.eml");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-sign", "-in", innerPath, "-out", signed, "-binary",
            "-signer", pki.CertificatePath(signer), "-inkey", pki.KeyPath(signer), "-certfile", pki.IntermediatesPath,
            "-md", "sha256", .. options ?? []]);
        return await File.ReadAllBytesAsync(signed);
    }

    /// <summary>A signed message encrypted with AES-256-GCM for <paramref name="to"/> (Claire by default), as DER.</summary>
    async Task<byte[]> AuthEnvelopedDerAsync(MimeEntity inner, DevPractitioner? to = null)
    {
        var signedPath = Path.Combine(_work, "signed.eml");
        await File.WriteAllBytesAsync(signedPath, await SignAsync(inner, TestPki.Julien));
        var der = Path.Combine(_work, "encrypted.der");
        await CommandRunner.RunCheckedAsync("openssl", ["cms", "-encrypt", "-in", signedPath, "-out", der, "-outform", "DER",
            "-aes-256-gcm", TestPki.Pki.CertificatePath(to ?? TestPki.Claire)]);
        return await File.ReadAllBytesAsync(der);
    }

    static MimeMessage AuthEnvelopedMessage(byte[] der)
    {
        var part = new MimePart("application", "pkcs7-mime")
        {
            Content = new MimeContent(new MemoryStream(der)),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "smime.p7m",
        };
        part.ContentType.Parameters["smime-type"] = "authEnveloped-data";
        return OverTheWire(Envelope(TestPki.Julien.Address, part));
    }

    /// <summary>Runs a Python 3 script (indentation of a raw literal removed) and returns its standard output.</summary>
    async Task<byte[]> PythonAsync(string script)
    {
        var path = Path.Combine(_work, "build.py");
        await File.WriteAllTextAsync(path, script);
        var output = Path.Combine(_work, "python.out");
        await CommandRunner.RunCheckedAsync("sh", ["-c", "python3 \"$0\" > \"$1\"", path, output]);
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>A Python string literal.</summary>
    static string Py(string value) =>
        "'" + string.Concat(value.Select(c => c < 128 && c is not ('\\' or '\'') && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:x4}")) + "'";

    static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
