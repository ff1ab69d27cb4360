using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Base64 and quoted-printable codecs (RFC 2045 §6.7, §6.8).</summary>
public class CodecTests
{
    private static string Lines(byte[] encoded) => Encoding.ASCII.GetString(encoded);

    [Test]
    public void Base64WrapsAt76WithCrlfAndNoTrailingBreak()
    {
        var data = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var text = Lines(Base64Codec.Encode(data));
        var lines = text.Split("\r\n");
        Assert.That(lines.Take(lines.Length - 1), Has.All.Length.EqualTo(76));
        Assert.That(lines[^1].Length, Is.InRange(1, 76));
        Assert.That(text, Does.Not.EndWith("\r\n"));
        Assert.That(text.Replace("\r\n", "", StringComparison.Ordinal), Is.EqualTo(Convert.ToBase64String(data)));
    }

    [TestCase("SGVsbG8sIHdvcmxkIQ==", "Hello, world!")]
    [TestCase("SGVsbG8s\r\n IHdvcmxk\tIQ==\r\n", "Hello, world!")] // whitespace anywhere
    [TestCase("SGVsbG8sIHdvcmxkIQ", "Hello, world!")] // missing padding
    [TestCase("SGV*sbG8s!IHd%vcmxkIQ=", "Hello, world!")] // characters outside the alphabet
    [TestCase("SGk=SGk=", "HiHi")] // concatenated padded chunks
    [TestCase("", "")]
    [TestCase("S", "")] // a lone sextet carries no byte
    public void Base64DecodesTolerantly(string encoded, string expected) =>
        Assert.That(Encoding.ASCII.GetString(Base64Codec.Decode(encoded)), Is.EqualTo(expected));

    [Test]
    public void QuotedPrintableEncodesEqualsTrailingWhitespaceAndBareBreaks()
    {
        var encoded = QuotedPrintableCodec.EncodeToString(Encoding.UTF8.GetBytes("a=b \r\nc\t\r\nlone\nbreak\rend \r\nFrom me\r\nÄ"));
        Assert.That(encoded, Is.EqualTo("a=3Db=20\r\nc=09\r\nlone=0Abreak=0Dend=20\r\n=46rom me\r\n=C3=84"));
    }

    [Test]
    public void QuotedPrintableSoftBreaksKeepLinesAt76()
    {
        var text = string.Concat(Enumerable.Repeat("0123456789é ", 40));
        var encoded = QuotedPrintableCodec.EncodeToString(Encoding.UTF8.GetBytes(text));
        var lines = encoded.Split("\r\n");
        Assert.That(lines, Has.All.Length.LessThanOrEqualTo(76));
        Assert.That(lines.Take(lines.Length - 1), Has.All.EndsWith("="));
        Assert.That(Encoding.UTF8.GetString(QuotedPrintableCodec.Decode(encoded)), Is.EqualTo(text));
    }

    [TestCase("a=3db", "a=b")] // lower-case hex
    [TestCase("soft=\r\nbreak", "softbreak")]
    [TestCase("soft=  \r\nbreak", "softbreak")] // whitespace after '=' added in transport
    [TestCase("bare\nlf", "bare\r\nlf")] // bare LF is a hard break
    [TestCase("trailing   \r\nspace", "trailing\r\nspace")] // unencoded trailing whitespace is transport padding
    [TestCase("bad=ZZ=4", "bad=ZZ=4")] // malformed escapes are kept literally
    [TestCase("end=", "end")]
    public void QuotedPrintableDecodesTolerantly(string encoded, string expected) =>
        Assert.That(Encoding.Latin1.GetString(QuotedPrintableCodec.Decode(encoded)), Is.EqualTo(expected));

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Base64RoundTripsAnyBytes() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), data =>
        {
            var encoded = Base64Codec.Encode(data);
            return Base64Codec.Decode(encoded).AsSpan().SequenceEqual(data)
                   && Lines(encoded).Split("\r\n").All(l => l.Length <= 76);
        });

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property QuotedPrintableRoundTripsAnyBytesWithShortLines() =>
        Prop.ForAll(BytesBiasedToText(), data =>
        {
            var encoded = QuotedPrintableCodec.Encode(data);
            var lines = Lines(encoded).Split("\r\n");
            return QuotedPrintableCodec.Decode(encoded).AsSpan().SequenceEqual(data)
                   && lines.All(l => l.Length <= 76 && !l.EndsWith(' ') && !l.EndsWith('\t'))
                   && encoded.All(b => b is >= 32 and < 127 or (byte)'\r' or (byte)'\n' or (byte)'\t');
        });

    // Mostly CR, LF, space, tab, '=' and letters: the interesting cases for quoted-printable.
    internal static Arbitrary<byte[]> BytesBiasedToText() =>
        Gen.Frequency(
                (6, Gen.Elements((byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)'=', (byte)'a', (byte)'F', (byte)'.')),
                (3, Gen.Choose(32, 126).Select(i => (byte)i)),
                (1, Gen.Choose(0, 255).Select(i => (byte)i)))
            .ArrayOf()
            .ToArbitrary();
}
