using System.Text;
using MiSS.Mail;
using MiSS.Mail.Imap;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Tests.Imap;

/// <summary>The IMAP response reader and parser, fed from byte arrays.</summary>
[TestFixture]
public sealed class ImapResponseReaderTests
{
    private static ImapResponseReader ReaderOf(byte[] bytes, int bufferSize = 16, long maxLiteral = ImapResponseReader.DefaultMaxLiteralSize) =>
        new(new MailStreamReader(new MemoryStream(bytes), bufferSize), maxLiteralSize: maxLiteral);

    private static ImapResponseReader ReaderOf(string text) => ReaderOf(Encoding.UTF8.GetBytes(text));

    private static Task<ImapResponse> ReadAsync(ImapResponseReader reader) => reader.ReadAsync(CancellationToken.None).AsTask();

    private static ImapList FetchList(ImapResponse response) => (ImapList)response.Values[0];

    private static ImapValue Item(ImapList list, string name)
    {
        for (var i = 0; i + 1 < list.Items.Count; i += 2)
        {
            if (list.Items[i] is ImapAtom atom && atom.Is(name))
            {
                return list.Items[i + 1];
            }
        }

        throw new AssertionException($"no item {name}");
    }

    [Test]
    public async Task Reads_a_Dovecot_greeting_with_capabilities()
    {
        var response = await ReadAsync(ReaderOf("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n"));

        Assert.Multiple(() =>
        {
            Assert.That(response.Kind, Is.EqualTo(ImapResponseKind.Untagged));
            Assert.That(response.Status, Is.EqualTo("OK"));
            Assert.That(response.Code!.Name, Is.EqualTo("CAPABILITY"));
            Assert.That(response.Code.Words, Does.Contain("IDLE").And.Contain("AUTH=PLAIN"));
            Assert.That(response.Text, Is.EqualTo("Dovecot (Debian) ready."));
        });
    }

    [Test]
    public async Task Reads_tagged_and_continuation_responses()
    {
        var reader = ReaderOf("A0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n+ idling\r\n+\r\nA0002 ok done\r\n");

        var no = await ReadAsync(reader);
        var idling = await ReadAsync(reader);
        var bare = await ReadAsync(reader);
        var ok = await ReadAsync(reader);

        Assert.Multiple(() =>
        {
            Assert.That(no.Kind, Is.EqualTo(ImapResponseKind.Tagged));
            Assert.That(no.Tag, Is.EqualTo("A0001"));
            Assert.That(no.Status, Is.EqualTo("NO"));
            Assert.That(no.Code!.Name, Is.EqualTo("AUTHENTICATIONFAILED"));
            Assert.That(no.Text, Is.EqualTo("Authentication failed."));
            Assert.That(idling.Kind, Is.EqualTo(ImapResponseKind.Continuation));
            Assert.That(idling.Text, Is.EqualTo("idling"));
            Assert.That(bare.Kind, Is.EqualTo(ImapResponseKind.Continuation));
            Assert.That(bare.Text, Is.Empty);
            Assert.That(ok.Status, Is.EqualTo("OK"));
        });
    }

    [Test]
    public async Task Reads_message_data_with_numbers()
    {
        var reader = ReaderOf("* 23 EXISTS\r\n* 0 RECENT\r\n* 4 EXPUNGE\r\n");

        var exists = await ReadAsync(reader);
        var recent = await ReadAsync(reader);
        var expunge = await ReadAsync(reader);

        Assert.Multiple(() =>
        {
            Assert.That((exists.Name, exists.Number), Is.EqualTo(("EXISTS", (uint?)23)));
            Assert.That((recent.Name, recent.Number), Is.EqualTo(("RECENT", (uint?)0)));
            Assert.That((expunge.Name, expunge.Number), Is.EqualTo(("EXPUNGE", (uint?)4)));
            Assert.That(exists.IsStatus, Is.False);
        });
    }

    [Test]
    public async Task Reads_a_literal_that_contains_CRLF_and_a_closing_parenthesis()
    {
        var body = "line one\r\n)\r\nA0003 OK fake\r\n* 9 EXISTS\r\n"u8.ToArray();
        var wire = Concat("* 1 FETCH (UID 7 BODY[] {"u8, Encoding.ASCII.GetBytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), "}\r\n"u8, body, ")\r\nA0005 OK Fetch completed.\r\n"u8);
        var reader = ReaderOf(wire);

        var fetch = await ReadAsync(reader);
        var done = await ReadAsync(reader);

        var list = FetchList(fetch);
        Assert.Multiple(() =>
        {
            Assert.That(fetch.Name, Is.EqualTo("FETCH"));
            Assert.That(fetch.Number, Is.EqualTo(1));
            Assert.That(Item(list, "UID"), Is.EqualTo(new ImapAtom("7")));
            Assert.That(((ImapString)Item(list, "BODY[]")).Bytes, Is.EqualTo(body));
            Assert.That(((ImapString)Item(list, "BODY[]")).IsLiteral, Is.True);
            Assert.That(done.Tag, Is.EqualTo("A0005"));
        });
    }

    [Test]
    public async Task Reads_a_binary_literal_byte_for_byte()
    {
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Enumerable.Range(0, 256).Select(i => (byte)(255 - i))).ToArray();
        var wire = Concat("* 2 FETCH (BODY[] ~{512}\r\n"u8, body, " UID 8)\r\n"u8);

        var fetch = await ReadAsync(ReaderOf(wire));

        var list = FetchList(fetch);
        Assert.That(((ImapString)Item(list, "BODY[]")).Bytes, Is.EqualTo(body));
        Assert.That(Item(list, "UID"), Is.EqualTo(new ImapAtom("8")));
    }

    [Test]
    public async Task Reads_a_large_literal_across_many_buffer_fills()
    {
        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(body);
        var wire = Concat(Encoding.ASCII.GetBytes($"* 3 FETCH (UID 9 BODY[] {{{body.Length}}}\r\n"), body, ")\r\n"u8);

        var fetch = await ReadAsync(ReaderOf(wire, bufferSize: 4096));

        Assert.That(((ImapString)Item(FetchList(fetch), "BODY[]")).Bytes, Is.EqualTo(body));
    }

    [Test]
    public async Task Reads_several_literals_in_one_response()
    {
        var reader = ReaderOf("* 1 FETCH (BODY[HEADER] {5}\r\nhead\n BODY[TEXT] {0}\r\n UID 3)\r\n");

        var list = FetchList(await ReadAsync(reader));

        Assert.Multiple(() =>
        {
            Assert.That(((ImapString)Item(list, "BODY[HEADER]")).Text, Is.EqualTo("head\n"));
            Assert.That(((ImapString)Item(list, "BODY[TEXT]")).Bytes, Is.Empty);
            Assert.That(Item(list, "UID"), Is.EqualTo(new ImapAtom("3")));
        });
    }

    [Test]
    public async Task Refuses_a_literal_above_the_limit_before_reading_it()
    {
        var reader = ReaderOf(Encoding.ASCII.GetBytes("* 1 FETCH (BODY[] {1000001}\r\n"), maxLiteral: 1_000_000);

        var ex = await Assert.ThrowsAsync<MailProtocolException>(() => ReadAsync(reader));
        Assert.That(ex!.Message, Does.Contain("1000001"));
    }

    [Test]
    public async Task Reads_quoted_strings_with_escapes()
    {
        var list = FetchList(await ReadAsync(ReaderOf("* 1 FETCH (X \"a \\\"quoted\\\" back\\\\slash\" Y \"\" Z \"Grüße\")\r\n")));

        Assert.Multiple(() =>
        {
            Assert.That(((ImapString)Item(list, "X")).Text, Is.EqualTo("a \"quoted\" back\\slash"));
            Assert.That(((ImapString)Item(list, "Y")).Text, Is.Empty);
            Assert.That(((ImapString)Item(list, "Z")).Text, Is.EqualTo("Grüße"));
            Assert.That(((ImapString)Item(list, "Z")).IsLiteral, Is.False);
        });
    }

    [Test]
    public async Task Distinguishes_NIL_from_the_string_NIL()
    {
        var list = FetchList(await ReadAsync(ReaderOf("* 1 FETCH (A NIL B \"NIL\" C nil)\r\n")));

        Assert.Multiple(() =>
        {
            Assert.That(Item(list, "A"), Is.SameAs(ImapNil.Instance));
            Assert.That(Item(list, "B"), Is.InstanceOf<ImapString>());
            Assert.That(Item(list, "C"), Is.SameAs(ImapNil.Instance));
        });
    }

    [Test]
    public async Task Reads_nested_lists_and_bracketed_section_names()
    {
        var response = await ReadAsync(ReaderOf(
            "* 5 FETCH (FLAGS (\\Seen \\Answered) BODY[HEADER.FIELDS (FROM TO)]<0> {4}\r\nab\r\n ENVELOPE (NIL \"s\" ((\"A\" NIL \"a\" \"x.test\")) NIL))\r\n"));

        var list = FetchList(response);
        var flags = (ImapList)Item(list, "FLAGS");
        var envelope = (ImapList)Item(list, "ENVELOPE");
        var addresses = (ImapList)envelope.Items[2];
        var address = (ImapList)addresses.Items[0];
        Assert.Multiple(() =>
        {
            Assert.That(flags.Items, Is.EqualTo(new ImapValue[] { new ImapAtom("\\Seen"), new ImapAtom("\\Answered") }));
            Assert.That(((ImapString)Item(list, "BODY[HEADER.FIELDS (FROM TO)]<0>")).Text, Is.EqualTo("ab\r\n"));
            Assert.That(envelope.Items[0], Is.SameAs(ImapNil.Instance));
            Assert.That(address.Items, Has.Count.EqualTo(4));
            Assert.That(((ImapString)address.Items[3]).Text, Is.EqualTo("x.test"));
        });
    }

    [Test]
    public async Task Reads_an_unsolicited_EXISTS_between_the_parts_of_a_FETCH_reply()
    {
        var reader = ReaderOf(
            "* 1 FETCH (UID 4 BODY[] {3}\r\nabc)\r\n* 2 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen))\r\n* OK [ALERT] Mailbox almost full\r\nA0004 OK Fetch completed.\r\n");

        var kinds = new List<string>();
        ImapResponse response;
        do
        {
            response = await ReadAsync(reader);
            kinds.Add(response.Kind == ImapResponseKind.Tagged ? "tagged" : response.Name ?? response.Status!);
        }
        while (response.Kind != ImapResponseKind.Tagged);

        Assert.That(kinds, Is.EqualTo(new[] { "FETCH", "EXISTS", "FETCH", "OK", "tagged" }));
    }

    [Test]
    public async Task Reads_response_codes_with_arguments()
    {
        var reader = ReaderOf(
            "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n* OK [UIDNEXT 4392] Predicted next UID\r\n");

        var validity = await ReadAsync(reader);
        var flags = await ReadAsync(reader);
        var next = await ReadAsync(reader);

        Assert.Multiple(() =>
        {
            Assert.That(validity.Code, Is.EqualTo(new ImapResponseCode("UIDVALIDITY", "3857529045")));
            Assert.That(flags.Code, Is.EqualTo(new ImapResponseCode("PERMANENTFLAGS", "(\\Deleted \\Seen \\*)")));
            Assert.That(next.Code!.Words, Is.EqualTo(new[] { "4392" }));
        });
    }

    [Test]
    public async Task Status_text_that_looks_like_a_literal_is_not_one()
    {
        var reader = ReaderOf("* OK this text ends like {5}\r\nA0001 NO also {3}\r\n* 1 EXISTS\r\n");

        var ok = await ReadAsync(reader);
        var no = await ReadAsync(reader);
        var exists = await ReadAsync(reader);

        Assert.That(ok.Text, Is.EqualTo("this text ends like {5}"));
        Assert.That(no.Text, Is.EqualTo("also {3}"));
        Assert.That(exists.Number, Is.EqualTo(1));
    }

    [Test]
    public async Task Reads_capability_and_search_data()
    {
        var reader = ReaderOf("* CAPABILITY IMAP4rev1 IDLE LITERAL+\r\n* SEARCH 2 84 882\r\n* SEARCH\r\n");

        var capability = await ReadAsync(reader);
        var search = await ReadAsync(reader);
        var empty = await ReadAsync(reader);

        Assert.Multiple(() =>
        {
            Assert.That(capability.Values.Select(v => v.AsText()), Is.EqualTo(new[] { "IMAP4rev1", "IDLE", "LITERAL+" }));
            Assert.That(search.Values.Select(v => v.TryGetNumber(out var n) ? n : 0u), Is.EqualTo(new uint[] { 2, 84, 882 }));
            Assert.That(empty.Values, Is.Empty);
        });
    }

    [TestCase("* 1 FETCH (X \"unterminated)\r\n")]
    [TestCase("* 1 FETCH (X (Y)\r\n")]
    [TestCase("* 1 FETCH (X {3} Y)\r\n")]
    [TestCase("A0001 MAYBE whatever\r\n")]
    [TestCase("\r\n")]
    [TestCase("* 99999999999 EXISTS\r\n")]
    public async Task Rejects_malformed_responses(string text)
    {
        await Assert.ThrowsAsync<MailProtocolException>(() => ReadAsync(ReaderOf(text)));
    }

    [Test]
    public async Task Malformed_response_messages_do_not_quote_string_content()
    {
        var ex = await Assert.ThrowsAsync<MailProtocolException>(() => ReadAsync(ReaderOf("* 1 FETCH (BODY[] \"Dear doctor, my diagnosis)\r\n")));

        Assert.That(ex!.Message, Does.Not.Contain("diagnosis"));
    }

    [Test]
    public async Task Reports_the_end_of_the_stream_inside_a_literal()
    {
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAsync(ReaderOf("* 1 FETCH (BODY[] {10}\r\nabc")));
    }

    private static byte[] Concat(params ReadOnlySpan<byte[]> parts)
    {
        var result = new List<byte>();
        foreach (var part in parts)
        {
            result.AddRange(part);
        }

        return result.ToArray();
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, byte[] b, ReadOnlySpan<byte> c) => Concat(a.ToArray(), b, c.ToArray());

    private static byte[] Concat(ReadOnlySpan<byte> a, byte[] b, ReadOnlySpan<byte> c, byte[] d, ReadOnlySpan<byte> e) =>
        Concat(a.ToArray(), b, c.ToArray(), d, e.ToArray());
}
