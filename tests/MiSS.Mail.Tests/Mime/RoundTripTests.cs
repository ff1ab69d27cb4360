using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Write → read round trips of hand-built messages, and the canonical form of the writer's output.</summary>
public class RoundTripTests
{
    /// <summary>Writes, reads back, and checks the writer's invariants on the way.</summary>
    private static MimeMessage RoundTrip(MimeMessage message, out string written)
    {
        var bytes = MimeWriter.ToBytes(message);
        AssertCanonical(bytes);
        written = Encoding.UTF8.GetString(bytes);
        var read = MimeReader.ReadMessage(bytes);
        Assert.That(MimeWriter.ToBytes(read), Is.EqualTo(bytes), "write(read(write(m))) must equal write(m)");
        Assert.That(MimeWriter.ToBytes(message), Is.EqualTo(bytes), "writing twice must give the same bytes");
        return read;
    }

    /// <summary>CRLF only, 7-bit, header lines ≤ 78 when they contain whitespace to fold at.</summary>
    internal static void AssertCanonical(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
                Assert.That(i > 0 && bytes[i - 1] == (byte)'\r', Is.True, $"bare LF at {i}");
            if (bytes[i] == (byte)'\r')
                Assert.That(i + 1 < bytes.Length && bytes[i + 1] == (byte)'\n', Is.True, $"bare CR at {i}");
            Assert.That(bytes[i], Is.LessThan(128), $"8-bit byte at {i}");
        }
        var text = Encoding.ASCII.GetString(bytes);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        foreach (var line in text[..Math.Max(headerEnd, 0)].Split("\r\n"))
            Assert.That(line.Length <= 78 || !line.TrimStart().Contains(' ', StringComparison.Ordinal), Is.True, $"unfolded header line: {line}");
    }

    [Test]
    public void NonAsciiTextPartAndHeaders()
    {
        const string body = "Sehr geehrte Frau Müller,\nIhr Befund ist da.\n\n– Praxis Dr. Łukasz Żółć 😀\n";
        var message = new MimeMessage(MimePart.CreateText(body))
        {
            Subject = "Befund für Sie – bitte ansehen",
            From = [new MailboxAddress("Dr. Łukasz Żółć", "praxis@example.de")],
            To = [new MailboxAddress("Müller, Anna", "anna@example.de"), new MailboxAddress("bob@example.org")],
        };
        var read = RoundTrip(message, out var written);
        Assert.That(written, Does.Contain("MIME-Version: 1.0\r\n"));
        Assert.That(written, Does.Contain("Subject: Befund =?utf-8?Q?f=C3=BCr?= Sie =?utf-8?B?4oCT?= bitte ansehen\r\n"));
        Assert.That(read.Subject, Is.EqualTo("Befund für Sie – bitte ansehen"));
        Assert.That(read.From, Is.EqualTo(message.From));
        Assert.That(read.To, Is.EqualTo(message.To));
        var part = (MimePart)read.Body;
        Assert.That(part.Encoding, Is.EqualTo(ContentEncoding.QuotedPrintable));
        Assert.That(part.ContentType.Charset, Is.EqualTo("utf-8"));
        Assert.That(part.GetText(), Is.EqualTo(body.ReplaceLineEndings("\r\n")));
    }

    [TestCase("Plain ASCII text.\nSecond line.", ContentEncoding.SevenBit)]
    [TestCase("Trailing space \nmatters for signatures", ContentEncoding.QuotedPrintable)]
    [TestCase("From the start\n", ContentEncoding.QuotedPrintable)]
    [TestCase("Überall gibt es Umlaute in diesem längeren deutschen Satz.", ContentEncoding.QuotedPrintable)]
    [TestCase("日本語のテキストです。日本語のテキストです。", ContentEncoding.Base64)]
    public void CreateTextPicksTheEncoding(string text, ContentEncoding expected)
    {
        var part = MimePart.CreateText(text);
        Assert.That(part.Encoding, Is.EqualTo(expected));
        var read = (MimePart)MimeReader.ReadEntity(MimeWriter.ToBytes(part));
        Assert.That(read.GetText(), Is.EqualTo(text.ReplaceLineEndings("\r\n")));
    }

    [Test]
    public void BinaryAttachmentWithNonAsciiFileName()
    {
        var content = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var attachment = MimePart.CreateAttachment("application/pdf", content, "Laborbefund Müller 2024.pdf");
        var root = new Multipart { Parts = { MimePart.CreateText("see attachment"), attachment } };
        var read = RoundTrip(new MimeMessage(root), out var written);
        Assert.That(written, Does.Contain("filename*=utf-8''Laborbefund%20M%C3%BCller%202024.pdf"));
        var part = (MimePart)((Multipart)read.Body).Parts[1];
        Assert.That(part.Encoding, Is.EqualTo(ContentEncoding.Base64));
        Assert.That(part.Content.ToArray(), Is.EqualTo(content));
        Assert.That(part.FileName, Is.EqualTo("Laborbefund Müller 2024.pdf"));
        Assert.That(part.ContentDisposition!.Disposition, Is.EqualTo("attachment"));
        Assert.That(part.ContentType.MimeType, Is.EqualTo("application/pdf"));
    }

    [Test]
    public void NestedMultipartsKeepStructurePreambleAndEpilogue()
    {
        var alternative = new Multipart("alternative") { Parts = { MimePart.CreateText("plain"), MimePart.CreateText("<p>html</p>", "html") } };
        var related = new Multipart("related") { Parts = { alternative, MimePart.CreateAttachment("image/png", new byte[] { 137, 80, 78, 71 }, "x.png") } };
        var mixed = new Multipart { Parts = { related, MimePart.CreateText("footer") }, Preamble = "This is a MIME message.", Epilogue = "bye\r\n" };
        var read = RoundTrip(new MimeMessage(mixed), out _);
        Assert.That(MimeTestUtil.Outline(read.Body), Is.EqualTo(
            "Content-Type: multipart/mixed\n   Content-Type: multipart/related\n      Content-Type: multipart/alternative\n" +
            "         Content-Type: text/plain\n         Content-Type: text/html\n      Content-Type: image/png\n   Content-Type: text/plain\n"));
        var readMixed = (Multipart)read.Body;
        Assert.That(readMixed.Preamble, Is.EqualTo("This is a MIME message."));
        Assert.That(readMixed.Epilogue, Is.EqualTo("bye\r\n"));
        Assert.That(readMixed.Boundary, Is.EqualTo(mixed.Boundary));
        var html = (MimePart)((Multipart)((Multipart)readMixed.Parts[0]).Parts[0]).Parts[1];
        Assert.That(html.GetText(), Is.EqualTo("<p>html</p>"));
        Assert.That(((Multipart)readMixed.Parts[0]).Preamble, Is.Null);
        Assert.That(((Multipart)readMixed.Parts[0]).Epilogue, Is.Null);
    }

    [Test]
    public void EncapsulatedMessage()
    {
        var inner = new MimeMessage(MimePart.CreateText("Originaltext äöü"))
        {
            Subject = "Ursprüngliche Nachricht",
            From = [new MailboxAddress("Jürgen", "j@example.de")],
            Date = new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.FromHours(1)),
            MessageId = "orig.1@example.de",
        };
        var outer = new MimeMessage(new Multipart { Parts = { MimePart.CreateText("forwarded"), new MessagePart(inner) } }) { Subject = "Fwd" };
        var read = RoundTrip(outer, out _);
        var readInner = ((MessagePart)((Multipart)read.Body).Parts[1]).Message;
        Assert.That(readInner.Subject, Is.EqualTo("Ursprüngliche Nachricht"));
        Assert.That(readInner.From, Is.EqualTo(inner.From));
        Assert.That(readInner.Date, Is.EqualTo(inner.Date));
        Assert.That(readInner.MessageId, Is.EqualTo("orig.1@example.de"));
        Assert.That(((MimePart)readInner.Body).GetText(), Is.EqualTo("Originaltext äöü"));
        Assert.That(readInner.RawBytes, Is.Not.Null);
    }

    [Test]
    public void LongHeadersAreFoldedAndUnfoldedBack()
    {
        var ascii = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"Wort{i}"));
        var unicode = string.Concat(Enumerable.Repeat("Überweisung an die Kardiologie, ", 8)).TrimEnd();
        var recipients = Enumerable.Range(0, 12).Select(i => new MailboxAddress($"Empfänger Nummer {i}", $"r{i}@example.org")).ToList();
        var message = new MimeMessage(MimePart.CreateText("x")) { Subject = ascii, To = recipients };
        message.Headers.Add("X-Comment", unicode);
        var read = RoundTrip(message, out var written);
        Assert.That(written.Split("\r\n").Count(l => l.StartsWith(' ')), Is.GreaterThan(10));
        Assert.That(read.Subject, Is.EqualTo(ascii));
        Assert.That(read.Headers.Single(h => h.Name == "X-Comment").DecodedValue, Is.EqualTo(unicode));
        Assert.That(read.To, Is.EqualTo(recipients));
    }

    [Test]
    public void Rfc2231ParametersFromTheWireRoundTrip()
    {
        var source = MimeTestUtil.Crlf("""
            Content-Type: application/octet-stream;
             name*0*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E;
             name*1*=%E3%81%AE%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.txt
            Content-Disposition: attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.txt
            Content-Transfer-Encoding: base64

            aGVsbG8=
            """);
        var part = (MimePart)MimeReader.ReadEntity(source);
        Assert.That(part.ContentType.Name, Is.EqualTo("日本語のファイル.txt"));
        Assert.That(part.FileName, Is.EqualTo("日本語のファイル.txt"));
        Assert.That(part.Content.ToArray(), Is.EqualTo("hello"u8.ToArray()));
        var written = MimeWriter.ToBytes(part);
        AssertCanonical(written);
        var again = (MimePart)MimeReader.ReadEntity(written);
        Assert.That(again.ContentType.Name, Is.EqualTo("日本語のファイル.txt"));
        Assert.That(again.FileName, Is.EqualTo("日本語のファイル.txt"));
        Assert.That(MimeWriter.ToBytes(again), Is.EqualTo(written));
    }

    [Test]
    public void TypedHeaderAccessors()
    {
        var message = new MimeMessage
        {
            From = [new MailboxAddress("A", "a@example.org")],
            Cc = [new MailboxAddress("c@example.org")],
            ReplyTo = [new MailboxAddress("Reply", "r@example.org")],
            Date = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
            MessageId = "<id-1@example.org>",
            InReplyTo = "parent@example.org",
            References = ["root@example.org", "parent@example.org"],
        };
        Assert.That(message.Headers["Message-ID"], Is.EqualTo("<id-1@example.org>"));
        Assert.That(message.Headers["Date"], Is.EqualTo("Tue, 02 Jan 2024 03:04:05 +0000"));
        var read = RoundTrip(message, out _);
        Assert.That(read.From, Is.EqualTo(message.From));
        Assert.That(read.Cc, Is.EqualTo(message.Cc));
        Assert.That(read.ReplyTo, Is.EqualTo(message.ReplyTo));
        Assert.That(read.Date, Is.EqualTo(message.Date));
        Assert.That(read.MessageId, Is.EqualTo("id-1@example.org"));
        Assert.That(read.InReplyTo, Is.EqualTo("parent@example.org"));
        Assert.That(read.References, Is.EqualTo(new[] { "root@example.org", "parent@example.org" }));
        read.Subject = null;
        read.To = [];
        Assert.That(read.Headers.Contains("Subject") || read.Headers.Contains("To"), Is.False);
    }

    [Test]
    public void ReaderMovesContentFieldsToTheBodyAndWriterPutsThemLast()
    {
        var source = MimeTestUtil.Crlf("""
            Content-Type: text/plain; charset=utf-8
            From: a@example.org
            Content-Transfer-Encoding: 8bit
            Subject: hi

            Grüße
            """);
        var message = MimeReader.ReadMessage(source);
        Assert.That(message.Headers.Select(h => h.Name), Is.EqualTo(new[] { "From", "Subject" }));
        Assert.That(message.Body.Headers.Select(h => h.Name), Is.EqualTo(new[] { "Content-Type", "Content-Transfer-Encoding" }));
        Assert.That(((MimePart)message.Body).GetText(), Is.EqualTo("Grüße"));
        Assert.That(message.Body.RawBytes!.Value.Length, Is.EqualTo(source.Length));
        Assert.That(Encoding.UTF8.GetString(MimeWriter.ToBytes(message)), Is.EqualTo(
            "From: a@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße"));
    }

    [Test]
    public void ChangingTheEncodingKeepsTheContent()
    {
        var part = (MimePart)MimeReader.ReadEntity(MimeTestUtil.Crlf("Content-Transfer-Encoding: quoted-printable\n\nA=3DB=\n C"));
        Assert.That(Encoding.ASCII.GetString(part.Content.Span), Is.EqualTo("A=B C"));
        part.Encoding = ContentEncoding.Base64;
        Assert.That(Encoding.ASCII.GetString(part.Content.Span), Is.EqualTo("A=B C"));
        Assert.That(Encoding.ASCII.GetString(MimeWriter.ToBytes(part)), Is.EqualTo("Content-Transfer-Encoding: base64\r\n\r\nQT1CIEM="));
    }
}
