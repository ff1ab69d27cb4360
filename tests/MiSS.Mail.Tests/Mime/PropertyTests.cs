using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>FsCheck properties over random entity trees: write → read preserves the tree, and writing is deterministic.</summary>
public class PropertyTests
{
    private static readonly Gen<string> Text = EncodedWordsTests.HeaderText().Generator;

    private static readonly Gen<byte[]> Bytes = Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf();

    // Multi-line text with CRLF line ends (7bit/8bit bodies, preambles and epilogues are line-oriented).
    private static readonly Gen<string> Lines = Text.ListOf().Select(lines => string.Join("\r\n", lines));

    // Preambles and epilogues are ASCII in practice (the writer would keep 8-bit text as UTF-8).
    private static readonly Gen<string?> OptionalLines = Gen.Frequency(
        (1, Gen.Constant<string?>(null)),
        (2, Gen.Elements("This is a multi-part message in MIME format.", "", "x", "-- not a boundary", "a  b\t")
            .ListOf().Select(lines => (string?)string.Join("\r\n", lines))));

    private static readonly Gen<(string Name, string Value)> ExtraHeader =
        from name in Gen.Elements("X-Note", "X-Patient", "Comments", "Keywords", "X-A")
        from value in Text
        select (name, value);

    private static readonly Gen<MailboxAddress> Mailbox =
        from name in Gen.Frequency((1, Gen.Constant<string?>(null)), (3, AddressAndDateTests.DisplayNames().Generator.Select(n => (string?)n)))
        from local in Gen.Elements("a", "jane.doe", "x+tag", "\"quoted local\"")
        select new MailboxAddress(name, local + "@example.org");

    private static Gen<MimeEntity> Leaf() => Leaf(ContentEncoding.QuotedPrintable, ContentEncoding.Base64);

    private static Gen<MimeEntity> Leaf(params ContentEncoding[] encodings) => Gen.OneOf(
        from text in Lines
        from subtype in Gen.Elements("plain", "html")
        select (MimeEntity)MimePart.CreateText(text, subtype),
        from content in Bytes
        from type in Gen.Elements("application/pdf", "image/png", "application/octet-stream")
        from fileName in Gen.Frequency((1, Gen.Constant<string?>(null)), (3, Text.Select(t => (string?)(t + ".bin"))))
        select (MimeEntity)MimePart.CreateAttachment(type, content, fileName),
        from content in Bytes
        from encoding in Gen.Elements(encodings)
        select (MimeEntity)new MimePart("application", "x-data") { Encoding = encoding, Content = content });

    private static Gen<MimeEntity> Entity(int size) => size <= 1
        ? Leaf()
        : Gen.Frequency(
            (3, Leaf()),
            (2, from subtype in Gen.Elements("mixed", "alternative", "related", "signed")
                from parts in Gen.Sized(_ => Entity(size / 3)).ListOf().Resize(4)
                from preamble in OptionalLines
                from epilogue in OptionalLines
                from headers in ExtraHeader.ListOf().Resize(2)
                select (MimeEntity)Build(subtype, parts, preamble, epilogue, headers)),
            (1, Message(size / 3).Select(m => (MimeEntity)new MessagePart(m))));

    private static Multipart Build(string subtype, IEnumerable<MimeEntity> parts, string? preamble, string? epilogue, IEnumerable<(string, string)> headers)
    {
        var multipart = new Multipart(subtype) { Preamble = preamble, Epilogue = epilogue };
        multipart.Parts.AddRange(parts);
        foreach (var (name, value) in headers)
            multipart.Headers.Add(name, value);
        return multipart;
    }

    private static Gen<MimeMessage> Message(int size) =>
        from body in Entity(size)
        from subject in Text
        from senders in Mailbox.NonEmptyListOf().Resize(2)
        from to in Mailbox.ListOf().Resize(3)
        from headers in ExtraHeader.ListOf().Resize(3)
        select Build(body, subject, senders, to, headers);

    private static MimeMessage Build(MimeEntity body, string subject, IEnumerable<MailboxAddress> from, IEnumerable<MailboxAddress> to, IEnumerable<(string, string)> headers)
    {
        var message = new MimeMessage(body) { Subject = subject, From = from.ToList(), To = to.ToList() };
        foreach (var (name, value) in headers)
            message.Headers.Add(name, value);
        return message;
    }

    private static Arbitrary<MimeMessage> Messages() => Gen.Sized(size => Message(Math.Min(size, 30))).ToArbitrary();

    [FsCheck.NUnit.Property(MaxTest = 150, EndSize = 30)]
    public Property WriteReadPreservesTreeHeadersAndContent() =>
        Prop.ForAll(Messages(), message =>
        {
            var bytes = MimeWriter.ToBytes(message);
            RoundTripTests.AssertCanonical(bytes);
            var read = MimeReader.ReadMessage(bytes);
            AssertEquivalent(message, read);
        });

    [FsCheck.NUnit.Property(MaxTest = 150, EndSize = 30)]
    public Property WritingIsDeterministicAndStableUnderReparse() =>
        Prop.ForAll(Messages(), message =>
        {
            var bytes = MimeWriter.ToBytes(message);
            Assert.That(MimeWriter.ToBytes(message), Is.EqualTo(bytes));
            Assert.That(MimeWriter.ToBytes(MimeReader.ReadMessage(bytes)), Is.EqualTo(bytes));
            Assert.That(MimeWriter.ToBytes(MimeReader.ReadEntity(MimeWriter.ToBytes(message.Body))), Is.EqualTo(MimeWriter.ToBytes(message.Body)));
        });

    [FsCheck.NUnit.Property(MaxTest = 100, EndSize = 30)]
    public Property EveryChildsRawBytesAreItsOwnSerialization() =>
        Prop.ForAll(Messages(), message =>
        {
            var read = MimeReader.ReadMessage(MimeWriter.ToBytes(message));
            foreach (var (entity, _) in MimeTestUtil.Walk(read.Body))
            {
                if (entity is Multipart multipart)
                {
                    foreach (var child in multipart.Parts)
                        Assert.That(child.RawBytes!.Value.ToArray(), Is.EqualTo(MimeWriter.ToBytes(child)));
                }
            }
        });

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property RandomHeaderValuesRoundTripDecoded() =>
        Prop.ForAll(ExtraHeader.ListOf().ToArbitrary(), headers =>
        {
            var part = MimePart.CreateText("x");
            foreach (var (name, value) in headers)
                part.Headers.Add(name, value);
            var bytes = MimeWriter.ToBytes(part);
            RoundTripTests.AssertCanonical(bytes);
            var read = MimeReader.ReadEntity(bytes);
            Assert.That(read.Headers.Select(h => (h.Name, h.DecodedValue)), Is.EqualTo(part.Headers.Select(h => (h.Name, h.DecodedValue))));
        });

    [FsCheck.NUnit.Property(MaxTest = 100)]
    public Property BinaryAndEightBitBodiesRoundTrip() =>
        Prop.ForAll(Leaf(ContentEncoding.Binary, ContentEncoding.EightBit).ListOf().ToArbitrary(), parts =>
        {
            // 8bit is line-oriented: the writer makes its line ends CRLF, so compare with that form.
            foreach (var part in parts.OfType<MimePart>().Where(p => p.Encoding == ContentEncoding.EightBit))
                part.Content = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(part.Content.Span).ReplaceLineEndings("\r\n").Replace("\r\r\n", "\r\n", StringComparison.Ordinal));
            var multipart = Build("mixed", parts, null, null, []);
            var message = new MimeMessage(multipart);
            var bytes = MimeWriter.ToBytes(message);
            AssertEquivalent(message, MimeReader.ReadMessage(bytes));
            Assert.That(MimeWriter.ToBytes(MimeReader.ReadMessage(bytes)), Is.EqualTo(bytes));
        });

    /// <summary>
    /// Same structure, types, parameters, decoded header values and decoded content; iterative. A message's
    /// non-Content fields are read back on the message even when they were set on its body entity.
    /// </summary>
    internal static void AssertEquivalent(MimeMessage expected, MimeMessage actual)
    {
        var stack = new Stack<(object Expected, object Actual, string Path, bool IsBody)>();
        stack.Push((expected, actual, "message", false));
        while (stack.Count > 0)
        {
            var (e, a, path, isBody) = stack.Pop();
            if (e is MimeMessage em)
            {
                var am = (MimeMessage)a;
                var expectedFields = em.Headers.Concat(em.Body.Headers.Where(h => !IsContent(h)));
                Assert.That(Decoded(am.Headers.Where(h => h.Name != "MIME-Version")), Is.EqualTo(Decoded(expectedFields)), path);
                Assert.That(am.Subject, Is.EqualTo(em.Subject), path);
                Assert.That(am.From, Is.EqualTo(em.From), path);
                Assert.That(am.To, Is.EqualTo(em.To), path);
                stack.Push((em.Body, am.Body, path + "/body", true));
                continue;
            }
            var ee = (MimeEntity)e;
            var ae = (MimeEntity)a;
            Assert.That(ae.GetType(), Is.EqualTo(ee.GetType()), path);
            Assert.That(Decoded(ae.Headers), Is.EqualTo(Decoded(ee.Headers.Where(h => !isBody || IsContent(h)))), path);
            Assert.That(ae.ContentType.MimeType, Is.EqualTo(ee.ContentType.MimeType), path);
            Assert.That(ae.ContentType.Parameters, Is.EqualTo(ee.ContentType.Parameters), path);
            Assert.That(ae.ContentDisposition?.FileName, Is.EqualTo(ee.ContentDisposition?.FileName), path);
            switch (ee)
            {
                case MimePart ep:
                    var ap = (MimePart)ae;
                    Assert.That(ap.Encoding, Is.EqualTo(ep.Encoding), path);
                    Assert.That(ap.Content.ToArray(), Is.EqualTo(ep.Content.ToArray()), path);
                    break;
                case Multipart emp:
                    var amp = (Multipart)ae;
                    Assert.That((amp.Preamble, amp.Epilogue, amp.Parts.Count), Is.EqualTo((emp.Preamble, emp.Epilogue, emp.Parts.Count)), path);
                    for (var i = 0; i < emp.Parts.Count; i++)
                        stack.Push((emp.Parts[i], amp.Parts[i], $"{path}/{i}", false));
                    break;
                case MessagePart emsg:
                    stack.Push((emsg.Message, ((MessagePart)ae).Message, path + "/rfc822", false));
                    break;
            }
        }
    }

    private static bool IsContent(Header h) => h.Name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase);

    private static string Decoded(IEnumerable<Header> headers) => string.Join("\n", headers.Select(h => $"{h.Name}: {h.DecodedValue}"));

    [Test]
    public void GeneratorsProduceNestedTreesWithMessagesAndNonAsciiText()
    {
        var samples = Gen.Sample(Gen.Sized(size => Message(Math.Min(size, 30))), 40, 60);
        var entities = samples.SelectMany(m => MimeTestUtil.Walk(m.Body)).ToList();
        Assert.That(entities.Max(e => e.Depth), Is.GreaterThanOrEqualTo(2));
        Assert.That(entities.Select(e => e.Entity), Has.Some.TypeOf<MessagePart>().And.Some.TypeOf<Multipart>());
        Assert.That(samples.Select(m => m.Subject ?? ""), Has.Some.Matches<string>(s => s!.Any(c => c > 127)));
        Assert.That(entities.Select(e => e.Entity).OfType<MimePart>().Select(p => p.Content.Length), Has.Some.GreaterThan(20));
    }
}
