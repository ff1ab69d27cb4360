using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Imap;
using MiSS.Mail.Mime;
using MiSS.Mail.Net;
using MiSS.Mail.Tests.Mime;

namespace MiSS.Mail.Tests.Fuzz;

/// <summary>
/// 100,000 mutated inputs each for the MIME reader and the IMAP response reader: whatever the bytes, the answer is a
/// result or the reader's specific parse error, never another exception, a hang or a crash. Mutations start from real
/// messages (the corpus) and real server responses, so that they reach deep into the parsers.
/// </summary>
public class MutationPropertyTests
{
    const int Cases = 100_000;

    /// <summary>Byte strings that mean something to the parsers: boundaries, separators, encodings, literals.</summary>
    static readonly byte[][] Tokens = new[]
    {
        "\r\n", "\r\n\r\n", "\r\n--", "--", "\n", "\r", ":", ";", "=", "\"", "\\", "(", ")", "<", ">", "{", "}", "[", "]", " ", "\t",
        "=?utf-8?B?", "=?iso-8859-1?Q?", "?=", "*0*=utf-8''", "boundary=", "Content-Type: multipart/mixed; boundary=x\r\n",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "message/rfc822", "{4294967295}\r\n",
        "{0}\r\n", "{5+}\r\n", "~{3}\r\n", "NIL", "\"\"", "* ", "BODY[", "\0", "\u00ff", "é",
    }.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();

    static readonly byte[][] MimeSeeds = LoadMimeSeeds();

    static readonly byte[][] ImapSeeds = new[]
    {
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ IDLE UIDPLUS MOVE] Dovecot ready.\r\n",
        "* 3 FETCH (UID 17 FLAGS (\\Seen $Forwarded) RFC822.SIZE 2048 INTERNALDATE \"22-Nov-2026 10:00:00 +0100\" BODY[] {11}\r\nHello\r\nWorld)\r\n",
        "* 1 FETCH (UID 5 BODY[HEADER.FIELDS (FROM SUBJECT)] {37}\r\nFrom: a@b\r\nSubject: =?utf-8?Q?=C3=A9?=\r\n\r\n)\r\n",
        "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n",
        "* LIST (\\Noselect) \".\" {9}\r\nDossier é\r\n",
        "* SEARCH 1 2 3 17 4294967295\r\n",
        "* ESEARCH (TAG \"A3\") UID MIN 1 MAX 9\r\n",
        "* STATUS INBOX (MESSAGES 3 UIDNEXT 18 UIDVALIDITY 1795320220)\r\n",
        "A0005 OK [APPENDUID 1795320220 18] Append completed.\r\n",
        "A0006 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
        "* 2 EXPUNGE\r\n",
        "* 4 EXISTS\r\n",
        "+ idling\r\n",
        "* OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
        "* 2 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700\" \"Sujet\" ((\"Claire\" NIL \"claire\" \"x.test\")) NIL NIL NIL NIL NIL NIL \"<id@x>\"))\r\n",
        "* BYE Server shutting down\r\n",
    }.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();

    static byte[][] LoadMimeSeeds()
    {
        var directory = Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "messages");
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory).Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        // The beginning of each real message (the structure is there; kilobytes of base64 add time, not coverage).
        var seeds = files.Select(f => File.ReadAllBytes(f)).Select(b => b.Length > 12_000 ? b[..12_000] : b).ToList();
        seeds.Add(MimeWriter.ToBytes(new MimeMessage
        {
            Subject = "Grüße",
            Body = new Multipart("signed")
            {
                Parts = { MimePart.CreateText("Plaie du talon\r\n"), MimePart.CreateAttachment("application/pkcs7-signature", new byte[300], "smime.p7s") },
            },
        }));
        return [.. seeds];
    }

    /// <summary>One mutation: overwrite, delete, duplicate, or insert a token, at a position and length.</summary>
    public sealed record Mutation(int Kind, int Position, int Length, int Token);

    static readonly Gen<Mutation> MutationGen =
        from kind in Gen.Choose(0, 3)
        from position in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(1, 64)
        from token in Gen.Choose(0, Tokens.Length - 1)
        select new Mutation(kind, position, length, token);

    static Arbitrary<(int Seed, Mutation[] Mutations)> Inputs(int seeds) => Arb.From(
        from seed in Gen.Choose(0, seeds - 1)
        from mutations in MutationGen.ArrayOf().Resize(8)
        select (seed, mutations));

    static byte[] Apply(byte[] seed, IEnumerable<Mutation> mutations)
    {
        var bytes = seed.ToList();
        foreach (var m in mutations)
        {
            var at = bytes.Count == 0 ? 0 : m.Position % bytes.Count;
            switch (m.Kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = Tokens[m.Token][0];
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(m.Length, bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, bytes.Skip(at).Take(m.Length).ToList());
                    break;
                default:
                    bytes.InsertRange(at, Tokens[m.Token]);
                    break;
            }
        }
        return [.. bytes];
    }

    static Config Many => Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true);

    [Test]
    public void The_mime_reader_answers_every_mutated_message_with_a_message_or_a_format_error()
    {
        var parsed = 0;
        Prop.ForAll(Inputs(MimeSeeds.Length), input =>
        {
            var bytes = Apply(MimeSeeds[input.Seed], input.Mutations);
            try
            {
                var message = MimeReader.ReadMessage(bytes);
                _ = (message.Subject, message.From, message.To, message.Date, message.MessageId, message.References);
                foreach (var (entity, _) in MimeTestUtil.Walk(message.Body))
                {
                    _ = (entity.ContentType.MimeType, entity.ContentDisposition?.FileName, (entity as MimePart)?.GetText());
                }
                var written = MimeWriter.ToBytes(message);
                // What was read and written reads back to the same bytes.
                if (!MimeWriter.ToBytes(MimeReader.ReadMessage(written)).AsSpan().SequenceEqual(written))
                {
                    throw new AssertionException("writing what was read is not stable");
                }
                parsed++;
            }
            catch (MimeFormatException)
            {
                // The one expected refusal.
            }
        }).Check(Many);
        TestContext.Out.WriteLine($"{Cases} mutated messages, {parsed} read as messages, the others refused with MimeFormatException");
        Assert.That(parsed, Is.GreaterThan(Cases / 10), "the mutations still reach the parser's depths, not only its first line");
    }

    [Test]
    public void The_imap_response_reader_answers_every_mutated_response_with_a_response_or_a_protocol_error()
    {
        var parsed = 0;
        Prop.ForAll(Inputs(ImapSeeds.Length), input =>
        {
            var bytes = Apply(ImapSeeds[input.Seed], input.Mutations);
            var reader = new ImapResponseReader(new MailStreamReader(new MemoryStream(bytes), 64), maxLineLength: 64 * 1024, maxLiteralSize: 1 << 20);
            try
            {
                // Everything the stream holds, response after response, as the client reads it.
                for (var i = 0; i < 100; i++)
                {
                    var response = reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    _ = (response.ToString(), response.Values.Select(v => v.AsText()).ToList(), response.Code?.Words);
                    parsed++;
                }
            }
            catch (MailProtocolException)
            {
                // A response the client refuses, with the reason.
            }
            catch (EndOfStreamException)
            {
                // The connection ended inside a response.
            }
        }).Check(Many);
        TestContext.Out.WriteLine($"{Cases} mutated response streams, {parsed} responses read");
        Assert.That(parsed, Is.GreaterThan(Cases / 10));
    }
}
