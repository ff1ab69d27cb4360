using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MiSS.Core.Tests.Secure;

namespace MiSS.Core.Tests.Messaging;

/// <summary>
/// What a detached signature covers (RFC 1847 §2.1, RFC 8551 §3.5): the first part of a multipart/signed exactly as
/// received. <see cref="SmimeOpener"/> relies on a loaded entity writing back its own bytes (<see cref="MimeBytes.Canonical(MimeEntity)"/>).
/// </summary>
public class SignedBytesTests
{
    // Non-canonical folding and spacing, trailing white space: re-serialising any of it would change the signed bytes.
    const string SignedPart = "Content-Type:   text/plain;\r\n\tcharset=us-ascii\r\nX-Note:  two  spaces \r\n\r\nsigned text  \r\nsecond line\t";

    static byte[] SignedMessage(string lineEnd)
    {
        var claire = SmimeFixtures.Certificate(TestPki.Claire);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, claire) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") };
        signer.Certificates.AddRange(TestPki.Trust().Intermediates);
        var cms = new SignedCms(new ContentInfo(Encoding.ASCII.GetBytes(SignedPart)), detached: true);
        cms.ComputeSignature(signer, silent: true);
        var text = $"""
            From: {TestPki.Claire.Address}
            To: {TestPki.Julien.Address}
            Subject: signé à la main
            MIME-Version: 1.0
            Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"

            preamble
            --s
            {SignedPart}
            --s
            Content-Type: application/pkcs7-signature; name=smime.p7s
            Content-Transfer-Encoding: base64

            {Convert.ToBase64String(cms.Encode(), Base64FormattingOptions.InsertLineBreaks)}
            --s--

            """;
        return Encoding.ASCII.GetBytes(text.ReplaceLineEndings(lineEnd));
    }

    [Test]
    public void TheSignedPartWritesBackAsExactlyTheBytesReceived()
    {
        var message = MimeLoader.LoadMessage(SignedMessage("\r\n"));
        var first = ((Multipart)message.Body!)[0];
        Assert.That(Encoding.ASCII.GetString(MimeBytes.Canonical(first)), Is.EqualTo(SignedPart));
    }

    // A relay or a store may keep bare LF line ends: the signature covers the canonical CRLF form.
    [TestCase("\r\n")]
    [TestCase("\n")]
    public void ASignatureOverTheReceivedBytesVerifies(string lineEnd)
    {
        var opened = SmimeFixtures.OpenerFor(TestPki.Julien).Open(MimeLoader.LoadMessage(SignedMessage(lineEnd)));
        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(((TextPart)opened.Content!).Text, Does.StartWith("signed text"));
    }

    [Test]
    public void ChangingOneSpaceOfTheSignedHeadersBreaksTheSignature()
    {
        var bytes = SignedMessage("\r\n");
        var text = Encoding.ASCII.GetString(bytes).Replace("X-Note:  two  spaces", "X-Note: two  spaces", StringComparison.Ordinal);
        var opened = SmimeFixtures.OpenerFor(TestPki.Julien).Open(MimeLoader.LoadMessage(Encoding.ASCII.GetBytes(text)));
        Assert.That(opened.Status, Is.EqualTo(OpenStatus.SignatureInvalid));
    }
}
