using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Messaging.Reports;
using MiSS.Core.Secure;
using MiSS.Core.Tests.Secure;

namespace MiSS.Core.Tests.Messaging;

/// <summary>
/// Mutated messages through the whole receiving path (<see cref="MimeLoader"/>, <see cref="MailReports"/>,
/// <see cref="SmimeOpener"/>, <see cref="ReceivedMessageReader"/>): whatever the bytes, the answer is a result or an
/// <see cref="UnreadableMimeException"/>, never another exception, a hang or a crash. Mutations start from real
/// messages (the corpus) and from S/MIME messages as MiSS sends them, so that they reach deep into the code.
/// </summary>
public class MutationPropertyTests
{
    /// <summary>Byte strings that mean something to the parsers: boundaries, separators, encodings.</summary>
    static readonly byte[][] Tokens = new[]
    {
        "\r\n", "\r\n\r\n", "\r\n--", "--", "\n", "\r", ":", ";", "=", "\"", "\\", "(", ")", "<", ">", " ", "\t",
        "=?utf-8?B?", "=?iso-8859-1?Q?", "?=", "*0*=utf-8''", "boundary=", "Content-Type: multipart/mixed; boundary=x\r\n",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "message/rfc822",
        "smime-type=signed-data", "application/pkcs7-mime", "multipart/signed", "message/delivery-status", "\0", "\u00ff", "é",
    }.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();

    /// <summary>Messages as MiSS sends them: signed only, and signed then encrypted for Julien.</summary>
    static readonly Lazy<byte[][]> SmimeSeeds = new(() =>
    {
        var seal = new SmimeSeal(TestPki.Trust(), TimeProvider.System);
        var claire = SmimeFixtures.Certificate(TestPki.Claire);
        MimeEntity Content() => new Multipart("mixed")
        {
            SmimeFixtures.Content("Plaie du talon : avis ?", TestPki.Claire),
            MimeTest.Attachment("application/pdf", Enumerable.Range(0, 300).Select(i => (byte)i).ToArray(), "cr.pdf"),
        };
        return
        [
            MimeBytes.Canonical(SmimeFixtures.Envelope(TestPki.Claire.Address, seal.Sign(Content(), claire))),
            MimeBytes.Canonical(SmimeFixtures.Envelope(TestPki.Claire.Address, seal.SignAndEncrypt(Content(), claire, [SmimeFixtures.Certificate(TestPki.Julien)]))),
        ];
    });

    static readonly Lazy<byte[][]> MimeSeeds = new(() =>
    {
        // The beginning of each real message (the structure is there; kilobytes of base64 add time, not coverage).
        var seeds = Directory.GetFiles(MimeCorpus.MessagesDir()).Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).Select(b => b.Length > 12_000 ? b[..12_000] : b).ToList();
        seeds.AddRange(SmimeSeeds.Value);
        return [.. seeds];
    });

    static readonly Lazy<SmimeOpener> Opener = new(() => SmimeFixtures.OpenerFor(TestPki.Julien));

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

    /// <summary>Reads the bytes as the receiver does; true when they were a message (false when refused as unreadable).</summary>
    static bool Receive(byte[] bytes, out OpenStatus status)
    {
        status = OpenStatus.Malformed;
        MimeMessage message;
        try
        {
            message = MimeLoader.LoadMessage(bytes);
        }
        catch (UnreadableMimeException)
        {
            return false;
        }
        MimeCorpus.Touch(message);
        _ = MailReports.TryRead(message);
        var opened = Opener.Value.Open(message);
        status = opened.Status;
        if (opened.Content is { } content)
        {
            _ = MailReports.TryRead(content);
        }
        _ = ReceivedMessageReader.Read(message, opened);
        _ = MimeBytes.Canonical(message);
        return true;
    }

    [Test]
    public void Every_mutated_message_is_read_or_refused_as_unreadable()
    {
        const int cases = 50_000;
        var read = 0;
        Prop.ForAll(Inputs(MimeSeeds.Value.Length), input =>
        {
            if (Receive(Apply(MimeSeeds.Value[input.Seed], input.Mutations), out _))
            {
                read++;
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true));
        TestContext.Out.WriteLine($"{cases} mutated messages, {read} read, the others refused as unreadable");
        Assert.That(read, Is.GreaterThan(cases / 10), "the mutations still reach the parser's depths, not only its first line");
    }

    [Test]
    public void Every_mutated_smime_message_is_opened_with_a_status_or_refused_as_unreadable()
    {
        const int cases = 5_000;
        var statuses = new HashSet<OpenStatus>();
        Prop.ForAll(Inputs(SmimeSeeds.Value.Length), input =>
        {
            if (Receive(Apply(SmimeSeeds.Value[input.Seed], input.Mutations), out var status))
            {
                statuses.Add(status);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true));
        TestContext.Out.WriteLine($"statuses seen: {string.Join(", ", statuses.Order())}");
        // Mutations that miss the signed bytes still verify; the others are told apart, not crashed on.
        Assert.That(statuses, Does.Contain(OpenStatus.Verified));
        Assert.That(statuses, Has.Count.GreaterThan(2));
    }
}
