using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>RFC 2047 encoded words.</summary>
public class EncodedWordsTests
{
    // RFC 2047 §8 examples, plus real-world breakage.
    [TestCase("(=?ISO-8859-1?Q?a?=)", "(a)")]
    [TestCase("(=?ISO-8859-1?Q?a?= b)", "(a b)")]
    [TestCase("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)")]
    [TestCase("(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)", "(ab)")]
    [TestCase("(=?ISO-8859-1?Q?a_b?=)", "(a b)")]
    [TestCase("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)")]
    [TestCase("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore")] // RFC 2231 language suffix
    [TestCase("=?utf-8?B?R3LDvMOfZQ==?=", "Grüße")]
    [TestCase("=?utf-8?b?R3LDvMOfZQ?=", "Grüße")] // lower-case b, missing padding
    [TestCase("=?utf-8?Q?Gr=C3?= =?utf-8?Q?=BC=C3=9Fe?=", "Grüße")] // character split across words
    [TestCase("=?iso-8859-1?q?this is some text?=", "this is some text")] // spaces inside Q text
    [TestCase("Re:=?utf-8?Q?=C3=A4?=", "Re:ä")] // word glued to text
    [TestCase("=?x-unknown?Q?=C3=A4?=", "ä")] // unknown charset: UTF-8
    [TestCase("=?x-unknown?Q?=E4?=", "ä")] // ... else Latin-1
    [TestCase("=?utf-8?Q?broken", "=?utf-8?Q?broken")]
    [TestCase("=?utf-8?X?abc?=", "=?utf-8?X?abc?=")]
    [TestCase("plain text", "plain text")]
    public void Decodes(string input, string expected) => Assert.That(EncodedWords.Decode(input), Is.EqualTo(expected));

    [Test]
    public void DecodesWindows1252AndIso2022()
    {
        Assert.That(EncodedWords.Decode("=?windows-1252?Q?=80?="), Is.EqualTo("€"));
        Assert.That(EncodedWords.Decode("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?="), Is.EqualTo("テスト"));
    }

    [Test]
    public void EncodeLeavesAsciiAloneAndEncodesOnlyTheWordsThatNeedIt()
    {
        Assert.That(EncodedWords.Encode("Hello world"), Is.EqualTo("Hello world"));
        // The shorter of Q and B is chosen per run; plain words in between stay readable.
        Assert.That(EncodedWords.Encode("Grüße aus Köln, bitte"), Is.EqualTo("=?utf-8?B?R3LDvMOfZQ==?= aus =?utf-8?B?S8O2bG4s?= bitte"));
        Assert.That(EncodedWords.Encode("Hallo Bär"), Is.EqualTo("Hallo =?utf-8?Q?B=C3=A4r?="));
        Assert.That(EncodedWords.Encode("Größe Äpfel"), Does.StartWith("=?utf-8?").And.Not.Contains("?= =?"));
    }

    [Test]
    public void EncodeProtectsTextThatLooksLikeAnEncodedWord()
    {
        const string literal = "see =?utf-8?Q?x?= here";
        var encoded = EncodedWords.Encode(literal);
        Assert.That(encoded, Is.Not.EqualTo(literal));
        Assert.That(EncodedWords.Decode(encoded), Is.EqualTo(literal));
    }

    [Test]
    public void EncodedWordsAreAtMost75CharactersAndSplitBetweenCharacters()
    {
        var text = string.Concat(Enumerable.Repeat("Überweisung 😀 für Ärztin ", 12));
        var encoded = EncodedWords.Encode(text);
        var words = encoded.Split(' ');
        Assert.That(words.Where(w => w.StartsWith("=?", StringComparison.Ordinal)), Has.All.Length.LessThanOrEqualTo(75));
        Assert.That(words.Where(w => w.StartsWith("=?", StringComparison.Ordinal)).Select(EncodedWords.Decode), Has.None.Contains('\uFFFD'));
        Assert.That(EncodedWords.Decode(encoded), Is.EqualTo(text.TrimEnd()).Or.EqualTo(text));
    }

    [Test]
    public void DecodingAHugeHeaderWithManyFalseStartsIsLinear()
    {
        var text = string.Concat(Enumerable.Repeat("=?a", 300_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(EncodedWords.Decode(text), Is.EqualTo(text));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property EncodeThenDecodeIsIdentity() =>
        Prop.ForAll(HeaderText(), text => EncodedWords.Decode(EncodedWords.Encode(text)) == text
                                          && EncodedWords.Encode(text).All(c => c < 127));

    /// <summary>Header-like text: words of mixed scripts (with emoji and '=?'), separated by spaces; no line breaks.</summary>
    internal static Arbitrary<string> HeaderText() =>
        Gen.Frequency(
                (5, Gen.Elements("Hello", "world", "a", "Re:", "(x)", "\"q\"", "=?", "?=", "a,b", "x_y", "=3D")),
                (3, Gen.Elements("Grüße", "Ärztin", "привет", "日本語", "😀", "ñ", "é", "ß", "\u00A0")),
                (1, Gen.Choose(0x21, 0x2FF).Select(c => ((char)c).ToString())))
            .ListOf()
            .Select(words => string.Join(' ', words))
            .ToArbitrary();
}
