using MiSS.Mail.Imap;

namespace MiSS.Mail.Tests.Imap;

/// <summary>Mailbox name encoding and command argument quoting.</summary>
[TestFixture]
public sealed class ImapEncodingTests
{
    [TestCase("INBOX", "INBOX")]
    [TestCase("Sent & Archive", "Sent &- Archive")]
    [TestCase("Entwürfe", "Entw&APw-rfe")]
    [TestCase("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-")]
    [TestCase("Ärzte/Befunde", "&AMQ-rzte/Befunde")]
    public void Encodes_and_decodes_modified_UTF7(string name, string encoded)
    {
        Assert.That(ImapMailboxName.Encode(name), Is.EqualTo(encoded));
        Assert.That(ImapMailboxName.Decode(encoded), Is.EqualTo(name));
    }

    [Test]
    public void Rejects_an_unterminated_shift_sequence()
    {
        Assert.Throws<FormatException>(() => ImapMailboxName.Decode("&AMQ"));
    }

    [Test]
    public void Builds_atoms_quoted_strings_and_literals()
    {
        var parts = new ImapCommandBuilder("LOGIN").AString("alice").AString("p\"a\\ss word").Build();
        Assert.That(parts.Single().Text, Is.EqualTo("LOGIN alice \"p\\\"a\\\\ss word\""));

        parts = new ImapCommandBuilder("LOGIN").AString("NIL").AString(string.Empty).Build();
        Assert.That(parts.Single().Text, Is.EqualTo("LOGIN \"NIL\" \"\""));

        parts = new ImapCommandBuilder("LOGIN").AString("bob").AString("pässwörd").AString("x y").Build();
        Assert.Multiple(() =>
        {
            Assert.That(parts, Has.Count.EqualTo(2));
            Assert.That(parts[0].Text, Is.EqualTo("LOGIN bob "));
            Assert.That(parts[0].Literal, Is.EqualTo(System.Text.Encoding.UTF8.GetBytes("pässwörd")));
            Assert.That(parts[1].Text, Is.EqualTo(" \"x y\""));
            Assert.That(parts[1].Literal, Is.Null);
        });
    }

    [Test]
    public void Sends_values_with_line_breaks_as_literals_and_refuses_NUL()
    {
        var parts = new ImapCommandBuilder("LOGIN").AString("a").AString("line\r\nbreak").Build();

        Assert.That(parts[0].Literal, Is.EqualTo("line\r\nbreak"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => new ImapCommandBuilder("LOGIN").AString("nul\0"));
        Assert.Throws<ArgumentException>(() => new ImapCommandBuilder("UID SEARCH").Raw("ALL\r\nA1 DELETE INBOX"));
    }

    [TestCase(2024, 1, 5, 10, 0, 0, 60, "\" 5-Jan-2024 10:00:00 +0100\"")]
    [TestCase(1996, 7, 17, 2, 44, 25, -420, "\"17-Jul-1996 02:44:25 -0700\"")]
    [TestCase(2030, 12, 31, 23, 59, 59, 330, "\"31-Dec-2030 23:59:59 +0530\"")]
    [TestCase(2024, 2, 29, 0, 0, 0, 0, "\"29-Feb-2024 00:00:00 +0000\"")]
    public void Formats_and_parses_IMAP_date_times(int year, int month, int day, int hour, int minute, int second, int offsetMinutes, string quoted)
    {
        var value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes));

        Assert.That(ImapSyntax.FormatDateTime(value), Is.EqualTo(quoted));
        Assert.That(ImapSyntax.TryParseDateTime(quoted.Trim('"'), out var parsed), Is.True);
        Assert.That((parsed, parsed.Offset), Is.EqualTo((value, value.Offset)));
    }

    [TestCase("")]
    [TestCase("17-Jul-1996 02:44:25")]
    [TestCase("17-Jux-1996 02:44:25 -0700")]
    [TestCase("31-Feb-2024 02:44:25 -0700")]
    [TestCase("17-Jul-1996 25:44:25 -0700")]
    [TestCase("17-Jul-1996 02:44:25 0700")]
    [TestCase("17-Jul-1996 02:44:25 +9900")]
    public void Rejects_malformed_IMAP_date_times(string text)
    {
        Assert.That(ImapSyntax.TryParseDateTime(text, out _), Is.False);
    }

    [TestCase("5", new uint[] { 5 })]
    [TestCase("3:5,9", new uint[] { 3, 4, 5, 9 })]
    [TestCase("12:10", new uint[] { 10, 11, 12 })]
    [TestCase("4294967294:4294967295", new uint[] { 4294967294, 4294967295 })]
    public void Expands_COPYUID_sets(string set, uint[] expected)
    {
        Assert.That(ImapSyntax.ExpandSet(set), Is.EqualTo(expected));
    }

    [TestCase("*")]
    [TestCase("1:*")]
    [TestCase("0")]
    [TestCase("1:2:3")]
    [TestCase("1:200000")]
    public void Refuses_COPYUID_sets_it_cannot_expand(string set)
    {
        Assert.That(ImapSyntax.ExpandSet(set), Is.Null);
    }

    [Test]
    public void Builds_a_literal_part_for_raw_bytes()
    {
        var parts = new ImapCommandBuilder("APPEND").AString("Sent").Raw("(\\Seen)").Literal([1, 2, 3]).Build();

        Assert.That(parts, Has.Count.EqualTo(2));
        Assert.That(parts[0].Text, Is.EqualTo("APPEND Sent (\\Seen) "));
        Assert.That(parts[0].Literal, Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(parts[1].Text, Is.Empty);
    }
}
