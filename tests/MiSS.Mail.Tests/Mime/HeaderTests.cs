using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Header lists, Content-Type / Content-Disposition with RFC 2231 parameters, folding.</summary>
public class HeaderTests
{
    [Test]
    public void HeaderListSetReplacesAllAtFirstPositionAndLookupIgnoresCase()
    {
        var headers = new HeaderList();
        headers.Add("Received", "a");
        headers.Add("X-Tag", "1");
        headers.Add("received", "b");
        headers.Add("Subject", "s");
        headers.Set("RECEIVED", "c");
        Assert.That(headers.Select(h => $"{h.Name}={h.Value}"), Is.EqualTo(new[] { "RECEIVED=c", "X-Tag=1", "Subject=s" }));
        Assert.That(headers["x-tag"], Is.EqualTo("1"));
        Assert.That(headers.Contains("SUBJECT"), Is.True);
        headers.Add("X-Tag", "2");
        Assert.That(headers.GetAll("X-TAG"), Is.EqualTo(new[] { "1", "2" }));
        Assert.That(headers.Remove("x-tag"), Is.True);
        Assert.That(headers.Remove("x-tag"), Is.False);
        Assert.That(headers.Count, Is.EqualTo(2));
        Assert.That(headers["Missing"], Is.Null);
    }

    [Test]
    public void HeaderValuesCannotInjectFields()
    {
        var headers = new HeaderList();
        headers.Add("Subject", "hi\r\nBcc: victim@example.com");
        var written = System.Text.Encoding.ASCII.GetString(MimeWriter.ToBytes(new MimeMessage(MimePart.CreateText("x")) { Subject = "hi\r\nBcc: victim@example.com" }));
        Assert.That(headers["Subject"], Is.EqualTo("hi Bcc: victim@example.com"));
        Assert.That(written, Does.Not.Contain("\r\nBcc:"));
        Assert.Throws<ArgumentException>(() => headers.Add("Bad Name", "x"));
        Assert.Throws<ArgumentException>(() => headers.Add("Bad:Name", "x"));
    }

    [Test]
    public void DecodedValueDecodesEncodedWordsButValueStaysRaw()
    {
        var header = new Header("Subject", "=?utf-8?Q?Befund_f=C3=BCr?= Patient");
        Assert.That(header.Value, Is.EqualTo("=?utf-8?Q?Befund_f=C3=BCr?= Patient"));
        Assert.That(header.DecodedValue, Is.EqualTo("Befund für Patient"));
    }

    [Test]
    public void ContentTypeParsesTypeParametersAndQuoting()
    {
        var ct = ContentType.Parse("Multipart/Mixed; boundary=\"=_a b;c\\\"d\" ; CharSet=UTF-8 (comment); x-empty=\"\"");
        Assert.That(ct.MimeType, Is.EqualTo("multipart/mixed"));
        Assert.That(ct.Boundary, Is.EqualTo("=_a b;c\"d"));
        Assert.That(ct.Charset, Is.EqualTo("UTF-8"));
        Assert.That(ct.Parameters["X-EMPTY"], Is.EqualTo(""));
        Assert.That(ct.Parameters.Select(p => p.Name), Is.EqualTo(new[] { "boundary", "CharSet", "x-empty" }));
    }

    [TestCase("", "text/plain")]
    [TestCase(";;;", "text/plain")]
    [TestCase("(only a comment)", "text/plain")]
    [TestCase("\"quoted\"/x", "text/plain")]
    [TestCase("garbage;;;", "application/octet-stream")] // as the reference implementation: a type without subtype
    [TestCase("/", "text/plain")]
    [TestCase("text", "text/plain")]
    [TestCase("multipart; boundary=x", "multipart/mixed")]
    [TestCase("application-x-gzip; name=\"a.gz\"", "application/octet-stream")]
    [TestCase("  TEXT / HTML ", "text/html")]
    public void ContentTypeParseIsTolerant(string value, string expected) =>
        Assert.That(ContentType.Parse(value).MimeType, Is.EqualTo(expected));

    [Test]
    public void ContentTypeToleratesBrokenParameterSyntax()
    {
        var ct = ContentType.Parse("text/plain charset=us-ascii format=flowed; name=my file.txt; broken; =x; name2=\"open");
        Assert.That(ct.Charset, Is.EqualTo("us-ascii"));
        Assert.That(ct.Parameters["format"], Is.EqualTo("flowed"));
        Assert.That(ct.Name, Is.EqualTo("my file.txt"));
        Assert.That(ct.Parameters["name2"], Is.EqualTo("open"));
    }

    [Test]
    public void Rfc2231ExtendedValueAndContinuationsAreDecoded()
    {
        // RFC 2231 §3 and §4 examples, sections given out of order.
        var ct = ContentType.Parse("message/external-body; access-type=URL; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"; URL*0=\"ftp://\"");
        Assert.That(ct.Parameters["url"], Is.EqualTo("ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"));
        ct = ContentType.Parse("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"");
        Assert.That(ct.Parameters["title"], Is.EqualTo("This is even more ***fun*** isn't it!"));
        var cd = ContentDisposition.Parse("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''Befund%20f%C3%BCr%20M%C3%BCller.pdf");
        Assert.That(cd.FileName, Is.EqualTo("Befund für Müller.pdf"));
        Assert.That(cd.Parameters.Count, Is.EqualTo(1));
        cd = ContentDisposition.Parse("attachment; filename*0*=iso-8859-1''M%FC; filename*1*=ller.txt");
        Assert.That(cd.FileName, Is.EqualTo("Müller.txt"));
    }

    [Test]
    public void EncodedWordsInQuotedParametersAreDecodedForOutlookCompatibility() =>
        Assert.That(ContentType.Parse("application/pdf; name=\"=?utf-8?B?QsOkci5wZGY=?=\"").Name, Is.EqualTo("Bär.pdf"));

    [Test]
    public void ContentTypeToStringQuotesAndEncodesAsNeeded()
    {
        var ct = new ContentType("application", "pdf");
        ct.Parameters["token"] = "abc-1.2";
        ct.Parameters["spaces"] = "a b";
        ct.Parameters["quote"] = "say \"hi\"";
        ct.Name = "Bär.pdf";
        Assert.That(ct.ToString(), Is.EqualTo("application/pdf; token=abc-1.2; spaces=\"a b\"; quote=\"say \\\"hi\\\"\"; name*=utf-8''B%C3%A4r.pdf"));
    }

    [Test]
    public void LongNonAsciiParameterIsSplitIntoRfc2231SectionsThatRoundTrip()
    {
        var name = string.Concat(Enumerable.Repeat("Überweisungsbericht-Ärztin-", 6)) + ".pdf";
        var cd = new ContentDisposition { FileName = name };
        var text = cd.ToString();
        Assert.That(text, Does.Contain("filename*0*=utf-8''").And.Contain("filename*1*="));
        Assert.That(text.Split("; ").Skip(1), Has.All.Length.LessThan(75));
        Assert.That(ContentDisposition.Parse(text).FileName, Is.EqualTo(name));
    }

    [Test]
    public void ContentDispositionParsesTolerantly()
    {
        Assert.That(ContentDisposition.Parse("INLINE").Disposition, Is.EqualTo("inline"));
        Assert.That(ContentDisposition.Parse("").Disposition, Is.EqualTo("attachment"));
        var cd = ContentDisposition.Parse("filename=report.pdf");
        Assert.That((cd.Disposition, cd.FileName), Is.EqualTo(("attachment", "report.pdf")));
    }

    [Test]
    public void EntityContentTypeIsBackedByTheHeader()
    {
        var part = new MimePart("text", "plain");
        part.ContentType.Charset = "utf-8";
        Assert.That(part.Headers["Content-Type"], Is.EqualTo("text/plain; charset=utf-8"));
        part.Headers.Set("Content-Type", "text/html; charset=iso-8859-1");
        Assert.That(part.ContentType.MimeType, Is.EqualTo("text/html"));
        Assert.That(part.ContentType.Charset, Is.EqualTo("iso-8859-1"));
        part.ContentDisposition = new ContentDisposition("inline");
        part.ContentDisposition!.FileName = "a.txt";
        Assert.That(part.Headers["Content-Disposition"], Is.EqualTo("inline; filename=a.txt"));
        part.ContentDisposition = null;
        Assert.That(part.Headers.Contains("Content-Disposition"), Is.False);
        Assert.That(new MimePart().ContentType.ToString(), Is.EqualTo("text/plain; charset=us-ascii"));
    }

    [Test]
    public void FoldingBreaksBeforeWhitespaceWithin78Characters()
    {
        var value = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{i}"));
        var folded = MimeWriter.Fold("X-Long", value);
        var lines = folded.TrimEnd('\r', '\n').Split("\r\n");
        Assert.That(lines, Has.Length.GreaterThan(1));
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(78));
        Assert.That(lines.Skip(1), Has.All.StartsWith(" "));
        Assert.That(string.Concat(lines), Is.EqualTo("X-Long: " + value));
    }

    [Test]
    public void UnbreakableLongValueIsKeptOnOneLine()
    {
        var value = new string('x', 200);
        Assert.That(MimeWriter.Fold("X-Id", value), Is.EqualTo($"X-Id: {value}\r\n"));
    }
}
