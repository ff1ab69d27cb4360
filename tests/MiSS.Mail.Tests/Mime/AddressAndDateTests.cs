using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Mailbox lists (RFC 5322 §3.4, obsolete §4.4) and dates (§3.3, §4.3).</summary>
public class AddressAndDateTests
{
    private static string[] Parse(string value) =>
        AddressParser.ParseList(value).Select(a => $"{a.DisplayName}|{a.Address}").ToArray();

    [TestCase("jane@example.org", "|jane@example.org")]
    [TestCase("Jane Doe <jane@example.org>", "Jane Doe|jane@example.org")]
    [TestCase("\"Doe, Jane\" <jane@example.org>", "Doe, Jane|jane@example.org")]
    [TestCase("\"Jane \\\"JD\\\" Doe\" <jane@example.org>", "Jane \"JD\" Doe|jane@example.org")]
    [TestCase("jane@example.org (Jane Doe)", "Jane Doe|jane@example.org")] // obsolete comment form
    [TestCase("Jane (work) Doe <jane(x)@ example.org>", "Jane Doe|jane@example.org")]
    [TestCase("John Q. Public <john.q.public@example.com>", "John Q. Public|john.q.public@example.com")]
    [TestCase("<@route1,@route2:jane@example.org>", "|jane@example.org")] // obsolete route
    [TestCase("=?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <j@example.de>", "Jürgen Müller|j@example.de")]
    [TestCase("=?utf-8?B?TcO8bGxlciwgSg==?= <j@example.de>", "Müller, J|j@example.de")]
    [TestCase("\"=?utf-8?Q?J=C3=BCrgen?=\" <j@example.de>", "Jürgen|j@example.de")] // encoded word in quotes (broken but common)
    [TestCase("\"john doe\"@example.com", "|\"john doe\"@example.com")]
    [TestCase("Jane jane@example.org", "Jane|jane@example.org")] // missing angle brackets
    [TestCase("jane@[192.0.2.1]", "|jane@[192.0.2.1]")]
    [TestCase("develop!nextmime@ebony@sblab.att.com", "|develop!nextmime@ebony")] // second '@' ends the address
    [TestCase("Jörg <jörg@bücher.example>", "Jörg|jörg@bücher.example")] // RFC 6532
    public void ParsesOneMailbox(string value, string expected) => Assert.That(Parse(value), Is.EqualTo(new[] { expected }));

    [Test]
    public void ParsesListsAndFlattensGroups()
    {
        Assert.That(Parse("a@x.org, B <b@x.org>,, \"C, c\" <c@x.org>"), Is.EqualTo(new[] { "|a@x.org", "B|b@x.org", "C, c|c@x.org" }));
        Assert.That(Parse("Team: a@x.org, B <b@x.org>; c@x.org"), Is.EqualTo(new[] { "|a@x.org", "B|b@x.org", "|c@x.org" }));
        Assert.That(Parse("undisclosed-recipients:;"), Is.Empty);
        Assert.That(Parse("unlisted-recipients:; (no To-header on input)"), Is.Empty);
        Assert.That(Parse(""), Is.Empty);
        Assert.That(Parse("<>, \"unterminated <x@y"), Is.Empty);
        Assert.That(Parse("@develop:sblab!att!thumper.bellcore.com!nsb, <@x>, <y@>"), Is.Empty);
    }

    [Test]
    public void MailboxToStringQuotesOrEncodesTheName()
    {
        Assert.That(new MailboxAddress("jane@example.org").ToString(), Is.EqualTo("jane@example.org"));
        Assert.That(new MailboxAddress("Jane Doe", "jane@example.org").ToString(), Is.EqualTo("Jane Doe <jane@example.org>"));
        Assert.That(new MailboxAddress("Doe, Jane", "jane@example.org").ToString(), Is.EqualTo("\"Doe, Jane\" <jane@example.org>"));
        // A phrase is encoded as a whole: quoted strings and encoded words cannot be mixed.
        Assert.That(new MailboxAddress("Dr. Müller", "m@example.de").ToString(), Is.EqualTo("=?utf-8?B?RHIuIE3DvGxsZXI=?= <m@example.de>"));
        Assert.That(new MailboxAddress("Bär", "b@example.de").ToString(), Is.EqualTo("=?utf-8?Q?B=C3=A4r?= <b@example.de>"));
    }

    [Test]
    public void MailboxAddressRejectsInjection()
    {
        Assert.Throws<ArgumentException>(() => _ = new MailboxAddress("x", "a@b>, evil@example.com"));
        Assert.Throws<ArgumentException>(() => _ = new MailboxAddress("x", "a@b\r\nBcc: evil@example.com"));
        Assert.Throws<ArgumentException>(() => _ = new MailboxAddress("x", ""));
        var ok = new MailboxAddress("x", "a@b");
        Assert.Throws<ArgumentException>(() => _ = ok with { Address = "a b@c" });
    }

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property MailboxToStringParsesBackToTheSameMailbox() =>
        Prop.ForAll(DisplayNames(), name =>
        {
            var mailbox = new MailboxAddress(name, "user.name+tag@example.org");
            var parsed = AddressParser.ParseList(mailbox.ToString() + ", other@example.org");
            return parsed.Count == 2 && parsed[0] == mailbox && mailbox.ToString().All(c => c < 127);
        });

    /// <summary>Display names with specials, quotes, backslashes and non-ASCII; trimmed, single-spaced (as a phrase reads back).</summary>
    internal static Arbitrary<string> DisplayNames() =>
        Gen.Elements("Jane", "Doe,", "\"JD\"", "a\\b", "Dr.", "<x>", "(c)", "Müller", "李", "😀", "=?x?=", "@", ";", ":")
            .NonEmptyListOf()
            .Select(words => string.Join(' ', words))
            .ToArbitrary();

    [TestCase("Thu, 19 Sep 1991 12:41:43 -0400", "1991-09-19T12:41:43-04:00")]
    [TestCase("19 Sep 1991 12:41 -0400", "1991-09-19T12:41:00-04:00")] // no weekday, no seconds
    [TestCase("Sun, 7 May 95 16:21:03 GMT", "1995-05-07T16:21:03+00:00")] // 2-digit year, named zone
    [TestCase("Wed, 20 Sep 1995 00:19:00 (EDT) -0400", "1995-09-20T00:19:00-04:00")] // comment
    [TestCase("Mon, 29 Jul 1996 02:26:08 PDT", "1996-07-29T02:26:08-07:00")]
    [TestCase("Fri Feb 22 17:06:23 2008", "2008-02-22T17:06:23+00:00")] // asctime
    [TestCase("Tue,  3 Jun 103 09:42:32 +0200", "2003-06-03T09:42:32+02:00")] // 3-digit year
    [TestCase("Fri, 23 Aug 2002 2:32:53 -0400", "2002-08-23T02:32:53-04:00")]
    [TestCase("Thu, 13 June 1996 23:25:49 -0700", "1996-06-13T23:25:49-07:00")] // full month name
    [TestCase("1 Jan 2020 00:00:00 A", "2020-01-01T00:00:00+00:00")] // military zone
    [TestCase("Sat, 2 Jan 2016 17:42:00 -0400", "2016-01-02T17:42:00-04:00")]
    [TestCase("2016-01-02T17:42:00Z", "2016-01-02T17:42:00+00:00")]
    public void ParsesDates(string value, string expected) =>
        Assert.That(MailDate.Parse(value), Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("31 Feb 2020 10:00:00 +0000")]
    [TestCase("12 Foo 2020 10:00 +0000")]
    [TestCase("1 Jan 2020 99:00 +0000")]
    public void UnreadableDatesGiveNull(string value) => Assert.That(MailDate.Parse(value), Is.Null);

    [Test]
    public void FormatsAndRoundTrips()
    {
        var date = new DateTimeOffset(1991, 9, 19, 12, 41, 43, TimeSpan.FromHours(-4));
        Assert.That(MailDate.Format(date), Is.EqualTo("Thu, 19 Sep 1991 12:41:43 -0400"));
        var india = new DateTimeOffset(2024, 2, 5, 8, 5, 0, new TimeSpan(5, 30, 0));
        Assert.That(MailDate.Format(india), Is.EqualTo("Mon, 05 Feb 2024 08:05:00 +0530"));
        Assert.That(MailDate.Parse(MailDate.Format(india)), Is.EqualTo(india));
    }
}
