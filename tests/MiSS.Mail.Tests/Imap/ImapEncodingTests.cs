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
}
