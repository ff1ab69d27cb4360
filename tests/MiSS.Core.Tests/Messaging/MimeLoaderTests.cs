using System.Text;
using MimeKit;
using MiSS.Core.Messaging;

namespace MiSS.Core.Tests.Messaging;

/// <summary>
/// Broken, hostile and huge input through <see cref="MimeLoader"/>: a message, or an <see cref="UnreadableMimeException"/>
/// with a French reason, never another exception; the <see cref="MimeLimits"/> are enforced before MimeKit builds a tree.
/// </summary>
public class MimeLoaderTests
{
    /// <summary>The message, or null when it was refused; any other exception fails the test.</summary>
    internal static MimeMessage? LoadOrRefuse(byte[] bytes, MimeLimits? limits = null)
    {
        try
        {
            return MimeLoader.LoadMessage(bytes, limits);
        }
        catch (UnreadableMimeException e)
        {
            Assert.That(e.Message, Is.Not.Empty);
            return null;
        }
    }

    static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Test]
    public void TooManyHeaderFieldsInOneBlockAreRefused()
    {
        var limit = MimeLimits.Default.MaxHeaderCount;
        string Fields(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"X-H{i}: v\r\n")) + "\r\nbody";

        Assert.That(MimeLoader.LoadMessage(Ascii(Fields(limit))).Headers, Has.Count.EqualTo(limit));
        var error = Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(Ascii(Fields(limit + 1))));
        Assert.That(error!.Message, Does.Contain("champs d'en-tête").And.Contain(limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // The count is per block: a part's header block counts on its own, and a part beyond the limit is refused too.
        var inPart = $"Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\n{Fields(limit + 1)}\r\n--p--\r\n";
        Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(Ascii(inPart)));
        Assert.That(MimeLoader.LoadMessage(Ascii(inPart), MimeLimits.Default with { MaxHeaderCount = limit + 1 }).Body, Is.TypeOf<Multipart>());
    }

    [Test]
    public void AMegabyteHeaderFieldIsRefusedWithItsNameUnlessTheLimitAllowsIt()
    {
        var huge = Ascii("Subject: " + new string('a', 1 << 20) + "\r\n\r\nbody");
        var error = Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(huge));
        Assert.That(error!.Message, Does.Contain("Subject").And.Contain("Kio"));

        var limits = MimeLimits.Default with { MaxHeaderLength = 4 << 20 };
        Assert.That(MimeLoader.LoadMessage(huge, limits).Subject, Has.Length.EqualTo(1 << 20));

        // Folded over 150,000 lines: the folded length counts.
        var folded = Ascii("X-Words: " + string.Concat(Enumerable.Repeat("word\r\n ", 150_000)) + "end\r\n\r\nbody");
        Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(folded));
    }

    [Test]
    public void AHeaderNameIsQuotedShortInTheReason()
    {
        var name = "X-" + new string('N', 200);
        var error = Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(Ascii($"{name}: {new string('v', 70_000)}\r\n\r\n")));
        Assert.That(error!.Message, Does.Contain("X-NNN"));
        Assert.That(error.Message, Does.Not.Contain(new string('N', 41)));
        // A name with a control character is no header at all: refused too.
        Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(Ascii($"X-\u0001Evil: {new string('v', 70_000)}\r\n\r\n")));
    }

    [Test]
    public void TooManyPartsAreRefused()
    {
        var manyParts = Ascii("Content-Type: multipart/mixed; boundary=p\r\n\r\n" + string.Concat(Enumerable.Repeat("--p\r\n\r\nx\r\n", 20)) + "--p--\r\n");
        var error = Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(manyParts, MimeLimits.Default with { MaxParts = 10 }));
        Assert.That(error!.Message, Does.Contain("parties MIME"));
        Assert.That(((Multipart)MimeLoader.LoadMessage(manyParts).Body!).Count, Is.EqualTo(20));
        Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadEntity(manyParts, MimeLimits.Default with { MaxParts = 10 }));
    }

    [Test]
    public void HundredThousandEmptyPartsAreRefused()
    {
        var bomb = Ascii("Content-Type: multipart/mixed; boundary=p\r\n\r\n" + string.Concat(Enumerable.Repeat("--p\r\n\r\n", 100_000)) + "--p--\r\n");
        Assert.Throws<UnreadableMimeException>(() => MimeLoader.LoadMessage(bomb));
    }

    static byte[] NestedMultiparts(int depth)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            sb.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }
        sb.Append("Content-Type: text/plain\r\n\r\ndeepest\r\n");
        for (var i = depth - 1; i >= 0; i--)
        {
            sb.Append($"--b{i}--\r\n");
        }
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    [TestCase(10_000, 64)]
    [TestCase(200, 8)]
    public void DeepNestingIsKeptOpaqueBelowMaxDepth(int nesting, int maxDepth)
    {
        var limits = MimeLimits.Default with { MaxDepth = maxDepth };
        var message = MimeLoader.LoadMessage(NestedMultiparts(nesting), limits);
        var entities = MimeCorpus.Walk(message.Body).ToList();
        var deepest = entities.MaxBy(e => e.Depth);
        TestContext.Out.WriteLine($"{nesting} levels, MaxDepth {maxDepth}: {entities.Count} entities, deepest at depth {deepest.Depth}");

        Assert.That(deepest.Depth, Is.InRange(maxDepth - 1, maxDepth), "the tree stops at the limit");
        Assert.That(deepest.Entity, Is.TypeOf<MimePart>(), "the entity at the limit is opaque");
        Assert.That(deepest.Entity.ContentType.MimeType, Is.EqualTo("multipart/mixed"));
        using var content = new MemoryStream();
        ((MimePart)deepest.Entity).Content!.DecodeTo(content);
        Assert.That(Encoding.ASCII.GetString(content.ToArray()), Does.Contain("deepest"), "its bytes stay available");
    }

    [Test]
    public void AChainOfTenThousandEncapsulatedMessagesStopsAtMaxDepth()
    {
        var chain = Ascii(string.Concat(Enumerable.Repeat("Content-Type: message/rfc822\r\n\r\n", 10_000)) + "Subject: bottom\r\n\r\nend");
        var message = MimeLoader.LoadMessage(chain);
        Assert.That(message.Body, Is.TypeOf<MessagePart>());
        Assert.That(MimeCorpus.Walk(message.Body).Max(e => e.Depth), Is.LessThanOrEqualTo(MimeLimits.Default.MaxDepth));
        Assert.That(MimeCorpus.Touch(message), Is.GreaterThan(1));
    }

    [Test]
    public void BareLfMessageLoads()
    {
        var message = MimeLoader.LoadMessage(Encoding.UTF8.GetBytes(
            "From: a@example.org\nSubject: lf only\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\none\n--x\n" +
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\ntwo=C3=A4\n--x--\n"));
        Assert.That(message.Subject, Is.EqualTo("lf only"));
        var parts = ((Multipart)message.Body!).OfType<TextPart>().Select(p => p.Text.TrimEnd()).ToList();
        Assert.That(parts, Is.EqualTo(new[] { "one", "twoä" }));
    }

    [Test]
    public void MissingClosingBoundaryAndFinalLineBreakKeepTheLastPart()
    {
        var multipart = (Multipart)MimeLoader.LoadEntity(MimeCorpus.Crlf("Content-Type: multipart/mixed; boundary=x\n\n--x\n\none\n--x\n\ntwo\nlast line"));
        Assert.That(multipart, Has.Count.EqualTo(2));
        Assert.That(((TextPart)multipart[1]).Text.ReplaceLineEndings("\n"), Does.StartWith("two\nlast line"));
    }

    [Test]
    public void AnUnmatchedBoundaryCostsAFewCopiesOfTheBodyAtMost()
    {
        var bytes = Ascii("Content-Type: multipart/mixed; boundary=nowhere\r\n\r\n" + new string('x', 4 << 20));
        MimeLoader.LoadEntity(bytes); // warm-up: types and MimeKit's static tables
        var before = GC.GetAllocatedBytesForCurrentThread();
        var multipart = (Multipart)MimeLoader.LoadEntity(bytes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"{allocated:N0} bytes allocated to load {bytes.Length:N0} bytes");
        Assert.That(multipart, Is.Empty);
        // MimeKit keeps a preamble's bytes in memory (Multipart.RawPreamble), and its reader and parser each buffer it
        // while looking for the boundary: a few copies of the body, never more.
        Assert.That(allocated, Is.LessThan(8L * bytes.Length));
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
    [TestCase("\0\0\0\0")]
    public void DegenerateInputsLoadOrAreRefused(string input)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        if (LoadOrRefuse(bytes) is { } message)
        {
            MimeCorpus.Touch(message);
            Assert.That(MimeBytes.Canonical(message), Is.Not.Null);
        }
        try
        {
            _ = MimeLoader.LoadEntity(bytes);
        }
        catch (UnreadableMimeException)
        {
        }
    }

    [Test]
    public void TruncatedAtEveryOffsetLoadsOrIsRefused()
    {
        var inner = MimeTest.Message(new Multipart("mixed") { MimeTest.Text("inner äöü"), MimeTest.Attachment("image/png", new byte[300], "b.png") });
        inner.Subject = "Ünïcode";
        var outer = MimeTest.Message(new Multipart("mixed")
        {
            new Multipart("alternative") { MimeTest.Text("texte é\n"), new TextPart("html") { Text = "<b>html</b>" } },
            new MessagePart { Message = inner },
            MimeTest.Attachment("application/octet-stream", new byte[500], "Ä.bin"),
        });
        outer.Subject = "Grüße";
        outer.From.Add(new MailboxAddress("Jörg", "j@example.de"));
        var bytes = MimeBytes.Canonical(outer);
        var loaded = 0;
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            if (LoadOrRefuse(bytes[..cut]) is { } message)
            {
                MimeCorpus.Touch(message);
                loaded++;
            }
        }
        Assert.That(loaded, Is.GreaterThan(bytes.Length / 2), "most prefixes are messages");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RandomBytesLoadOrAreRefused(int seed)
    {
        var random = new Random(seed);
        var alphabet = "\r\n-:;=?\"\\()<>@ \t=_aB0"u8.ToArray();
        for (var round = 0; round < 300; round++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            // Half the rounds mostly from MIME's own punctuation, so that headers and boundaries appear.
            if (round % 2 == 0)
            {
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = alphabet[bytes[i] % alphabet.Length];
                }
            }
            if (LoadOrRefuse(bytes) is { } message)
            {
                MimeCorpus.Touch(message);
            }
        }
    }
}
