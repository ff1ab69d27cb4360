using System.Runtime.InteropServices;
using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary><see cref="MimeEntity.RawBytes"/>: what S/MIME verification hashes (RFC 1847 §2.1, RFC 8551 §3.5).</summary>
public class RawBytesTests
{
    private static Multipart SignedLike(out MimeEntity content)
    {
        content = new Multipart
        {
            Parts =
            {
                MimePart.CreateText("Befund anbei. Grüße\n"),
                MimePart.CreateAttachment("application/pdf", Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray(), "befund.pdf"),
            },
        };
        var signed = new Multipart("signed") { Parts = { content, MimePart.CreateAttachment("application/pkcs7-signature", new byte[] { 0x30, 0x82, 1, 2 }, "smime.p7s") } };
        signed.ContentType.Parameters["protocol"] = "application/pkcs7-signature";
        signed.ContentType.Parameters["micalg"] = "sha-256";
        return signed;
    }

    [Test]
    public void FirstPartOfSignedMultipartReadsBackAsExactlyTheBytesThatWereSigned()
    {
        var signed = SignedLike(out var content);
        var signedBytes = MimeWriter.ToBytes(content); // what a signer hashes
        var message = MimeReader.ReadMessage(MimeWriter.ToBytes(new MimeMessage(signed) { Subject = "signiert" }));
        var first = ((Multipart)message.Body).Parts[0];
        Assert.That(first.RawBytes!.Value.ToArray(), Is.EqualTo(signedBytes));
        Assert.That(MimeWriter.ToBytes(first), Is.EqualTo(signedBytes));
        var entity = MimeReader.ReadEntity(MimeWriter.ToBytes(signed));
        Assert.That(((Multipart)entity).Parts[0].RawBytes!.Value.ToArray(), Is.EqualTo(signedBytes));
    }

    [Test]
    public void RawBytesAreSlicesOfTheInputNotCopies()
    {
        var input = MimeWriter.ToBytes(new MimeMessage(SignedLike(out _)));
        var message = MimeReader.ReadMessage(input);
        foreach (var (entity, _) in MimeTestUtil.Walk(message.Body))
        {
            Assert.That(MemoryMarshal.TryGetArray(entity.RawBytes!.Value, out var segment), Is.True);
            Assert.That(segment.Array, Is.SameAs(input));
        }
        Assert.That(message.RawBytes!.Value.Length, Is.EqualTo(input.Length));
        Assert.That(message.Body.RawBytes!.Value.Length, Is.EqualTo(input.Length));
        // Identity-encoded content is not copied either.
        var plain = Encoding.ASCII.GetBytes("Content-Type: text/plain\r\n\r\nhello");
        var part = (MimePart)MimeReader.ReadEntity(plain);
        Assert.That(MemoryMarshal.TryGetArray(part.Content, out var content) && content.Array == plain && content.Offset == 28, Is.True);
    }

    [TestCase("\r\n")]
    [TestCase("\n")]
    public void ChildRawBytesExcludeTheLineBreakBeforeTheDelimiter(string eol)
    {
        var input = Encoding.ASCII.GetBytes(string.Join(eol,
            "Content-Type: multipart/signed; boundary=b; protocol=\"application/pkcs7-signature\"", "",
            "preamble", "--b", "Content-Type: text/plain", "", "hello", "", "--b  ", "Content-Type: application/pkcs7-signature", "", "sig", "--b--", "epilogue"));
        var multipart = (Multipart)MimeReader.ReadEntity(input);
        Assert.That(MimeTestUtil.Ascii(multipart.Parts[0].RawBytes), Is.EqualTo($"Content-Type: text/plain{eol}{eol}hello{eol}"));
        Assert.That(MimeTestUtil.Ascii(multipart.Parts[1].RawBytes), Is.EqualTo($"Content-Type: application/pkcs7-signature{eol}{eol}sig"));
        Assert.That(MimeTestUtil.Ascii(((MimePart)multipart.Parts[0]).Content), Is.EqualTo($"hello{eol}"));
        Assert.That(multipart.Preamble, Is.EqualTo("preamble"));
        Assert.That(multipart.Epilogue, Is.EqualTo("epilogue"));
        Assert.That(multipart.RawBytes!.Value.Length, Is.EqualTo(input.Length));
    }

    [Test]
    public void SignedPartsReadFromInputAreWrittenBackUnchanged()
    {
        // Non-canonical folding and a bare-LF body: re-serializing would change the signed bytes.
        var input = MimeTestUtil.Crlf("""
            From: a@example.org
            Content-Type: multipart/signed; boundary="s"; protocol="application/pkcs7-signature"

            --s
            Content-Type:   text/plain;
            	charset=us-ascii

            signed text
            --s
            Content-Type: application/pkcs7-signature

            AAAA
            --s--

            """);
        var firstPart = "Content-Type:   text/plain;\r\n\tcharset=us-ascii\r\n\r\nsigned text";
        var message = MimeReader.ReadMessage(input);
        Assert.That(MimeTestUtil.Ascii(((Multipart)message.Body).Parts[0].RawBytes), Is.EqualTo(firstPart));
        var written = Encoding.ASCII.GetString(MimeWriter.ToBytes(message));
        Assert.That(written, Does.Contain("--s\r\n" + firstPart + "\r\n--s\r\n"));
    }

    [Test]
    public void EncapsulatedMessageRawBytesStartAfterThePartHeaders()
    {
        var input = MimeTestUtil.Crlf("""
            Content-Type: multipart/mixed; boundary=m

            --m
            Content-Type: message/rfc822

            Subject: inner

            inner body
            --m--
            """);
        var part = (MessagePart)((Multipart)MimeReader.ReadEntity(input)).Parts[0];
        Assert.That(MimeTestUtil.Ascii(part.RawBytes), Is.EqualTo("Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body"));
        Assert.That(MimeTestUtil.Ascii(part.Message.RawBytes), Is.EqualTo("Subject: inner\r\n\r\ninner body"));
        Assert.That(part.Message.Subject, Is.EqualTo("inner"));
    }
}
