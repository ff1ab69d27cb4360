using System.Diagnostics;
using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Broken, hostile and huge input: a result or a <see cref="MimeFormatException"/>, never anything else.</summary>
public class RobustnessTests
{
    private static readonly string[] Types = ["multipart/mixed", "text/plain", "text/plain"];

    [Test]
    public void BareLfMessageParses()
    {
        var message = MimeReader.ReadMessage(MimeTestUtil.Lf("""
            From: a@example.org
            Subject: lf only
            Content-Type: multipart/mixed; boundary=x

            --x
            Content-Type: text/plain

            one
            --x
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            two=C3=A4
            --x--
            """));
        Assert.That(message.Subject, Is.EqualTo("lf only"));
        var multipart = (Multipart)message.Body;
        Assert.That(MimeTestUtil.Walk(multipart).Select(e => e.Entity.ContentType.MimeType), Is.EqualTo(Types));
        Assert.That(((MimePart)multipart.Parts[0]).GetText(), Is.EqualTo("one"));
        Assert.That(((MimePart)multipart.Parts[1]).GetText(), Is.EqualTo("twoä"));
        RoundTripTests.AssertCanonical(MimeWriter.ToBytes(message));
    }

    [Test]
    public void MissingClosingBoundaryAndMissingFinalLineBreak()
    {
        var multipart = (Multipart)MimeReader.ReadEntity(MimeTestUtil.Crlf("Content-Type: multipart/mixed; boundary=x\n\n--x\n\none\n--x\n\ntwo\nlast line"));
        Assert.That(multipart.Parts, Has.Count.EqualTo(2));
        Assert.That(((MimePart)multipart.Parts[1]).GetText(), Is.EqualTo("two\r\nlast line"));
        Assert.That(multipart.Epilogue, Is.Null);
        var written = MimeWriter.ToBytes(multipart);
        Assert.That(MimeWriter.ToBytes(MimeReader.ReadEntity(written)), Is.EqualTo(written));
    }

    [Test]
    public void BoundaryThatNeverAppearsLeavesTheBodyAsPreamble()
    {
        var multipart = (Multipart)MimeReader.ReadEntity(MimeTestUtil.Crlf("Content-Type: multipart/mixed; boundary=nowhere\n\n--elsewhere\ntext"));
        Assert.That(multipart.Parts, Is.Empty);
        Assert.That(multipart.Preamble, Is.EqualTo("--elsewhere\r\ntext"));
    }

    [Test]
    public void UnmatchedBoundaryDoesNotTurnABigBodyIntoAStringWhileParsing()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Type: multipart/mixed; boundary=nowhere\r\n\r\n" + new string('x', 4 << 20));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var multipart = (Multipart)MimeReader.ReadEntity(bytes);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(64 * 1024));
        Assert.That(multipart.Preamble, Has.Length.EqualTo(4 << 20));
        Assert.That(MimeWriter.ToBytes(multipart), Has.Length.EqualTo(bytes.Length + "\r\n--nowhere--".Length));
    }

    [Test]
    public void ChildWithoutClosingBoundaryEndsAtTheParentsDelimiter()
    {
        var multipart = (Multipart)MimeReader.ReadEntity(MimeTestUtil.Crlf("""
            Content-Type: multipart/mixed; boundary="x"

            --x
            Content-Type: multipart/alternative; boundary="xy"

            --xy

            inner
            --x

            sibling
            --x--
            """));
        Assert.That(MimeTestUtil.Outline(multipart), Is.EqualTo("Content-Type: multipart/mixed\n   Content-Type: multipart/alternative\n      Content-Type: text/plain\n   Content-Type: text/plain\n"));
        Assert.That(((MimePart)multipart.Parts[1]).GetText(), Is.EqualTo("sibling"));
    }

    [Test]
    public void MultipartWithoutBoundaryParameterIsKeptAsALeaf()
    {
        var entity = MimeReader.ReadEntity(MimeTestUtil.Crlf("Content-Type: multipart/mixed\n\n--x\nbody\n--x--"));
        Assert.That(entity, Is.TypeOf<MimePart>());
        Assert.That(((MimePart)entity).GetText(), Is.EqualTo("--x\r\nbody\r\n--x--"));
    }

    private static byte[] NestedMultiparts(int depth, bool sameBoundary = false)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < depth; i++)
            sb.Append($"Content-Type: multipart/mixed; boundary=\"b{(sameBoundary ? 0 : i)}\"\r\n\r\n--b{(sameBoundary ? 0 : i)}\r\n");
        sb.Append("Content-Type: text/plain\r\n\r\ndeepest\r\n");
        for (var i = depth - 1; i >= 0; i--)
            sb.Append($"--b{(sameBoundary ? 0 : i)}--\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    [Test]
    public void TenThousandNestedMultipartsStopAtMaxDepth()
    {
        var message = MimeReader.ReadMessage(NestedMultiparts(10_000));
        var entities = MimeTestUtil.Walk(message.Body).ToList();
        Assert.That(entities.Max(e => e.Depth), Is.EqualTo(MimeLimits.Default.MaxDepth));
        var (deepest, _) = entities.Single(e => e.Depth == MimeLimits.Default.MaxDepth);
        Assert.That(deepest, Is.TypeOf<MimePart>(), "at MaxDepth the entity is kept opaque");
        Assert.That(deepest.ContentType.MimeType, Is.EqualTo("multipart/mixed"));
        Assert.That(Encoding.ASCII.GetString(((MimePart)deepest).Content.Span), Does.StartWith("--b64\r\n").And.Contain("deepest"));
        var written = MimeWriter.ToBytes(message);
        Assert.That(MimeWriter.ToBytes(MimeReader.ReadMessage(written)), Is.EqualTo(written));
    }

    [Test]
    public void TenThousandNestedLevelsParseWithoutRecursionWhenTheLimitAllowsIt()
    {
        var limits = new MimeLimits { MaxDepth = int.MaxValue, MaxParts = 100_000 };
        var watch = Stopwatch.StartNew();
        var message = MimeReader.ReadMessage(NestedMultiparts(10_000), limits);
        Assert.That(MimeTestUtil.Walk(message.Body).Max(e => e.Depth), Is.EqualTo(10_000));
        var written = MimeWriter.ToBytes(message); // the writer uses an explicit stack too
        Assert.That(MimeTestUtil.Walk(MimeReader.ReadMessage(written, limits).Body).Count(), Is.EqualTo(10_001));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));

        // Same boundary at every level: innermost wins, no blow-up.
        Assert.That(MimeReader.ReadMessage(NestedMultiparts(10_000, sameBoundary: true), limits).Body, Is.TypeOf<Multipart>());

        // A chain of 10,000 message/rfc822 parts.
        var chain = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Content-Type: message/rfc822\r\n\r\n", 10_000)) + "Subject: bottom\r\n\r\nend");
        var top = MimeReader.ReadMessage(chain, limits);
        Assert.That(MimeTestUtil.Walk(top.Body).Max(e => e.Depth), Is.EqualTo(10_000));
        Assert.That(MimeReader.ReadMessage(chain).Body, Is.TypeOf<MessagePart>());
    }

    [Test]
    public void MegabyteHeaderLineGivesASpecificErrorOrAResult()
    {
        var huge = "Subject: " + new string('a', 1 << 20) + "\r\n\r\nbody";
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<MimeFormatException>(() => MimeReader.ReadMessage(Encoding.ASCII.GetBytes(huge)));
        Assert.That(error!.Message, Does.Contain("MaxHeaderLength").And.Contain("Subject"));
        Assert.That(error.Offset, Is.Zero);

        var limits = new MimeLimits { MaxHeaderLength = 4 << 20 };
        var message = MimeReader.ReadMessage(Encoding.ASCII.GetBytes(huge), limits);
        Assert.That(message.Subject, Has.Length.EqualTo(1 << 20));
        var folded = "X-Words: " + string.Concat(Enumerable.Repeat("word\r\n ", 150_000)) + "end\r\n\r\nbody";
        Assert.That(MimeReader.ReadMessage(Encoding.ASCII.GetBytes(folded), limits).Headers["X-Words"], Has.Length.EqualTo((150_000 * 5) + 3));
        var encodedWords = "Subject: " + string.Concat(Enumerable.Repeat("=?utf-8?Q?=C3=A4?= ", 50_000)) + "\r\n\r\n";
        Assert.That(MimeReader.ReadMessage(Encoding.ASCII.GetBytes(encodedWords), limits).Subject, Is.EqualTo(new string('ä', 50_000)));
        Assert.That(MimeWriter.ToBytes(message), Has.Length.GreaterThan(1 << 20));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void HeaderCountAndPartCountLimitsThrowSpecificErrors()
    {
        var manyHeaders = string.Concat(Enumerable.Range(0, 1001).Select(i => $"X-H{i}: v\r\n")) + "\r\n";
        Assert.That(Assert.Throws<MimeFormatException>(() => MimeReader.ReadMessage(Encoding.ASCII.GetBytes(manyHeaders)))!.Message, Does.Contain("MaxHeaderCount"));
        var manyParts = "Content-Type: multipart/mixed; boundary=p\r\n\r\n" + string.Concat(Enumerable.Repeat("--p\r\n\r\nx\r\n", 20)) + "--p--";
        var limits = new MimeLimits { MaxParts = 10 };
        Assert.That(Assert.Throws<MimeFormatException>(() => MimeReader.ReadEntity(Encoding.ASCII.GetBytes(manyParts), limits))!.Message, Does.Contain("MaxParts"));
        Assert.That(((Multipart)MimeReader.ReadEntity(Encoding.ASCII.GetBytes(manyParts))).Parts, Has.Count.EqualTo(20));
    }

    [Test]
    public void TruncatedAtEveryOffsetNeverThrows()
    {
        var inner = new MimeMessage(new Multipart { Parts = { MimePart.CreateText("inner äöü"), MimePart.CreateAttachment("image/png", new byte[300], "b.png") } }) { Subject = "Ünïcode" };
        var message = new MimeMessage(new Multipart
        {
            Parts =
            {
                new Multipart("alternative") { Parts = { MimePart.CreateText("text ü\n"), MimePart.CreateText("<b>html</b>", "html") } },
                new MessagePart(inner),
                MimePart.CreateAttachment("application/octet-stream", new byte[500], "Ä.bin"),
            },
            Preamble = "pre",
            Epilogue = "post",
        })
        { Subject = "Grüße", From = [new MailboxAddress("Jörg", "j@example.de")] };
        var bytes = MimeWriter.ToBytes(message);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var slice = bytes.AsMemory(0, cut);
            var read = MimeReader.ReadMessage(slice);
            foreach (var (entity, _) in MimeTestUtil.Walk(read.Body))
            {
                if (entity is MimePart part)
                    _ = part.GetText();
            }
            Assert.That(read.RawBytes!.Value.Length, Is.EqualTo(cut));
            _ = MimeWriter.ToBytes(read);
        }
    }

    [Test]
    public void MutatedInputNeverThrowsAndRewritingItIsStable()
    {
        var source = MimeWriter.ToBytes(new MimeMessage(new Multipart
        {
            Parts =
            {
                MimePart.CreateText("ä=b\n"),
                new MessagePart(new MimeMessage(MimePart.CreateText("x")) { Subject = "=?utf-8?Q?x?=", From = [new MailboxAddress("Jö", "j@x.org")] }),
                MimePart.CreateAttachment("application/pdf", new byte[90], "Bär.pdf"),
            },
            Epilogue = "end",
        })
        { Subject = "Grüße" });
        var random = new Random(12345);
        var alphabet = "\r\n-:;=?\"\\()<>@ \t=_aB0\u00ff"u8.ToArray();
        for (var round = 0; round < 3000; round++)
        {
            // Overwrite, delete, duplicate a chunk, or insert "\r\n--".
            var bytes = source.ToList();
            for (var k = random.Next(1, 8); k > 0 && bytes.Count > 0; k--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); break;
                    case 2: bytes.InsertRange(at, source.Skip(random.Next(source.Length)).Take(random.Next(1, 60))); break;
                    default: bytes.InsertRange(at, "\r\n--"u8.ToArray()); break;
                }
            }
            var mutated = bytes.ToArray();
            try
            {
                var message = MimeReader.ReadMessage(mutated);
                _ = (message.Subject, message.From, message.Date, message.References);
                foreach (var (entity, _) in MimeTestUtil.Walk(message.Body))
                    _ = (entity.ContentType.MimeType, entity.ContentDisposition?.FileName, (entity as MimePart)?.GetText());
                var written = MimeWriter.ToBytes(message);
                Assert.That(MimeWriter.ToBytes(MimeReader.ReadMessage(written)), Is.EqualTo(written), $"round {round}");
            }
            catch (MimeFormatException)
            {
            }
        }
    }

    [Test]
    public void MboxFromLineIsSkipped()
    {
        var message = MimeReader.ReadMessage(MimeTestUtil.Crlf("From someone@example.org Fri Feb 22 17:06:23 2008\nFrom: a@example.org\nSubject: s\n\nbody"));
        Assert.That(message.Headers.Select(h => h.Name), Is.EqualTo(new[] { "From", "Subject" }));
        Assert.That(message.From.Single().Address, Is.EqualTo("a@example.org"));
    }

    [Test]
    public void EightBitHeadersAreUtf8ElseLatin1()
    {
        var bytes = Encoding.UTF8.GetBytes("Subject: Grüße\r\nX-Latin: \r\n\r\nbody").ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'\r', 20) , new byte[] { 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72 }); // "Müller" in Latin-1
        var message = MimeReader.ReadMessage(bytes.ToArray());
        Assert.That(message.Subject, Is.EqualTo("Grüße"));
        Assert.That(message.Headers["X-Latin"], Is.EqualTo("Müller"));
        RoundTripTests.AssertCanonical(MimeWriter.ToBytes(message));
    }

    [TestCase("us-ascii", new byte[] { 0xC3, 0xA4 }, "ä")] // declared ASCII, really UTF-8
    [TestCase("utf-8", new byte[] { 0xE4 }, "ä")] // declared UTF-8, really Latin-1
    [TestCase("x-no-such-charset", new byte[] { 0xC3, 0xA4 }, "ä")]
    [TestCase("iso-8859-2", new byte[] { 0xB1 }, "ą")]
    [TestCase("windows-1252", new byte[] { 0x80 }, "€")]
    [TestCase("\"utf-8\"", new byte[] { 0xEF, 0xBB, 0xBF, 0x61 }, "a")] // BOM dropped
    public void GetTextFallsBackForWrongOrUnknownCharsets(string charset, byte[] content, string expected)
    {
        var part = new MimePart("text", "plain") { Content = content };
        part.ContentType.Charset = charset.Trim('"');
        Assert.That(part.GetText(), Is.EqualTo(expected));
    }

    [Test]
    public void HeaderContinuationOddities()
    {
        var message = MimeReader.ReadMessage(MimeTestUtil.Crlf("""
            Subject:no space
            X-Spaced : value
            X-Folded: a
            	b
              
             c
            X-Wrapped: first half-
            second half
            To: x@example.org

            body
            """));
        Assert.That(message.Headers["Subject"], Is.EqualTo("no space"));
        Assert.That(message.Headers["X-Spaced"], Is.EqualTo("value"));
        Assert.That(message.Headers["X-Folded"], Is.EqualTo("a\tb   c"));
        Assert.That(message.Headers["X-Wrapped"], Is.EqualTo("first half-second half"));
        Assert.That(message.To.Single().Address, Is.EqualTo("x@example.org"));
        Assert.That(((MimePart)message.Body).GetText(), Is.EqualTo("body"));
    }

    [Test]
    public void BodyWithoutBlankLineAfterHeaders()
    {
        var message = MimeReader.ReadMessage(MimeTestUtil.Crlf("Subject: s\nThis line is body text\nand more"));
        Assert.That(message.Subject, Is.EqualTo("s"));
        Assert.That(((MimePart)message.Body).GetText(), Is.EqualTo("This line is body text\r\nand more"));
    }

    [TestCase("")]
    [TestCase("\r\n")]
    [TestCase("Subject: only headers")]
    [TestCase("no headers at all")]
    [TestCase("--")]
    [TestCase("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n")]
    [TestCase("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a")]
    [TestCase("Content-Type: message/rfc822\r\n\r\n")]
    [TestCase(":\r\n \r\n\t")]
    public void DegenerateInputs(string input)
    {
        var message = MimeReader.ReadMessage(Encoding.ASCII.GetBytes(input));
        Assert.That(message.RawBytes!.Value.Length, Is.EqualTo(input.Length));
        var written = MimeWriter.ToBytes(message);
        Assert.That(MimeWriter.ToBytes(MimeReader.ReadMessage(written)), Is.EqualTo(written));
    }

    [Test]
    public void LargeMessageAllocatesLittleMoreThanTheDecodedContent()
    {
        var content = new byte[25 << 20];
        new Random(7).NextBytes(content);
        var bytes = MimeWriter.ToBytes(new MimeMessage(new Multipart { Parts = { MimePart.CreateText("see attachment"), MimePart.CreateAttachment("application/octet-stream", content, "big.bin") } }));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = MimeReader.ReadMessage(bytes);
        var parsing = GC.GetAllocatedBytesForCurrentThread() - before;
        var attachment = (MimePart)((Multipart)message.Body).Parts[1];
        var decoded = attachment.Content;
        var total = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(parsing, Is.LessThan(64 * 1024), "parsing must not copy bodies");
        Assert.That(total, Is.LessThan(content.Length * 11L / 10), "decoding allocates about the content once");
        Assert.That(decoded.Span.SequenceEqual(content), Is.True);
    }
}
