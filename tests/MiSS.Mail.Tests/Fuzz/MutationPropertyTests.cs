using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Mime;
using MiSS.Mail.Tests.Mime;

namespace MiSS.Mail.Tests.Fuzz;

/// <summary>
/// 100,000 mutated inputs for the MIME reader: whatever the bytes, the answer is a
/// result or the reader's specific parse error, never another exception, a hang or a crash. Mutations start from real
/// messages (the corpus), so that they reach deep into the parser.
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
}
