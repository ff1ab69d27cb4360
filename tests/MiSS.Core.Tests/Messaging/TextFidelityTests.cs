using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Core.Messaging;
using MiSS.Core.Secure;
using MimeKit;
using static MiSS.Core.Tests.Secure.SmimeFixtures;

namespace MiSS.Core.Tests.Messaging;

/// <summary>
/// The receiver reads exactly the text the sender wrote, line ends aside (LF on both sides): compose, seal, write to
/// bytes, read back, open, read. Only the footer the composer appends is taken off.
/// </summary>
public class TextFidelityTests
{
    static readonly MessageComposer Composer = new("MiSS-TEST");
    static readonly SmimeSeal Seal = new(TestPki.Trust(), TimeProvider.System);
    static readonly Lazy<SmimeOpener> JulienOpener = new(() => OpenerFor(TestPki.Julien));

    [TestCase("Traitement :\r\n.\r\nQUIT\r\n", TestName = "A_line_holding_a_dot_and_a_final_line_break_survive")]
    [TestCase("Fin du message\n\n\n", TestName = "Trailing_line_breaks_survive")]
    [TestCase("avant\0après\0", TestName = "Nul_characters_survive")]
    [TestCase("Dose    \nsuite\t \n  ", TestName = "Trailing_spaces_and_tabs_survive")]
    [TestCase("\u202eevitcelfer\u202c \u2067שלום\u2069 \u200f", TestName = "Bidi_controls_survive")]
    [TestCase("🩺 👩🏽‍⚕️ 🇫🇷 \U0001F9EA", TestName = "Emoji_survive")]
    [TestCase("From the ward:\nFrom here on\n>From", TestName = "Lines_starting_with_From_survive")]
    [TestCase("avant\n-- \nsignature à moi\n-- \n\n-- \n", TestName = "Signature_separator_lines_inside_the_text_survive")]
    [TestCase("", TestName = "An_empty_text_stays_empty")]
    [TestCase("=20 =\n=3D=\r\n begin 644 x\n", TestName = "Quoted_printable_lookalikes_survive")]
    [TestCase("saut\fde page\u0085NEL\u2028LS\u2029PS\rCR seul", TestName = "Form_feed_and_unicode_separators_survive")]
    public void The_receiver_reads_the_text_the_sender_wrote(string text) => AssertRoundTrip(text);

    [TestCase("avant\0après\0")]
    [TestCase("Dose    \nsuite\t \n  ")]
    public void What_is_signed_is_seven_bit_without_nul_or_trailing_blanks_so_no_relay_changes_it(string text)
    {
        var signed = Seal.Sign(Composer.ComposeContent(Message(text), null, TestPki.Claire.DisplayName), Certificate(TestPki.Claire));
        var part = (MimePart)signed[0];
        var bytes = MimeBytes.Canonical(part);
        TestContext.Out.WriteLine($"transfer encoding: {part.ContentTransferEncoding}");

        Assert.That(bytes, Has.All.InRange((byte)1, (byte)127));
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes), Does.Not.Match("[ \t]\r\n"));
    }

    [Test]
    public void A_long_line_without_spaces_survives() => AssertRoundTrip(new string('x', 2000) + " \n" + new string('é', 999));

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Any_text_arrives_as_written() =>
        Prop.ForAll(Texts.ToArbitrary(), text =>
        {
            AssertRoundTrip(text);
            return true;
        });

    /// <summary>Texts made of nasty fragments and random characters (any valid UTF-16, no lone surrogate).</summary>
    static readonly Gen<string> Texts =
        Gen.OneOf(
                Gen.Elements(".", "\r\n", "\n", "\r", "\0", " ", "  ", "\t", "-- ", "--", "From ", "=", "=20", "=3D", "é", "\u00a0",
                    "\u202e", "\u200f", "\u2066", "\u2069", "\ufeff", "\u0085", "\u2028", "\f", "🩺", "👩🏽‍⚕️", "QUIT", "begin ",
                    new string('y', 90)),
                Gen.Choose(1, 0xd7ff).Select(c => ((char)c).ToString()),
                Gen.Choose(0x10000, 0x10ffff).Select(char.ConvertFromUtf32))
            .ListOf()
            .Select(fragments => string.Concat(fragments));

    static void AssertRoundTrip(string text)
    {
        var message = Message(text);
        var content = Composer.ComposeContent(message, null, TestPki.Claire.DisplayName);
        var body = Seal.SignAndEncrypt(content, Certificate(TestPki.Claire), [Certificate(TestPki.Julien)]);
        var wire = MimeBytes.Canonical(Composer.ComposeEnvelope(message, TestPki.Claire.DisplayName, body));

        var received = MimeLoader.LoadMessage(wire);
        var opened = JulienOpener.Value.Open(received);
        var (read, _) = ReceivedMessageReader.Read(received, opened);

        Assert.That(opened.Status, Is.EqualTo(OpenStatus.Verified), opened.Detail);
        Assert.That(Escaped(read.Body), Is.EqualTo(Escaped(Lf(text))));
    }

    static StoredMessage Message(string text) =>
        new(1, $"{Guid.NewGuid():N}@dev.mssante.test", MessageDirection.Outgoing, TestPki.Claire.Address,
            [TestPki.Julien.Address], "Fidélité", text, MessageState.Queued, DateTimeOffset.UtcNow, null, null, null, null, 0);

    /// <summary>CRLF and lone CR as LF: the only change allowed.</summary>
    static string Lf(string text) => Regex.Replace(text, "\r\n?", "\n");

    /// <summary>Control and invisible characters spelled out, so a failure shows where the texts differ.</summary>
    static string Escaped(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
            ? $"\\u{(int)c:x4}" : c.ToString()));
}
