using System.Text;
using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Messaging.Reports;

namespace MiSS.Core.Tests.Messaging.Reports;

/// <summary>Hostile and broken reports: <see cref="MailReports.TryRead(MimeMessage)"/> returns null or what it could read, never throws, stays bounded.</summary>
public class ReportRobustnessTests
{
    static MimeMessage Report(string reportType, string partType, byte[] body, string encoding = "binary")
    {
        var head = Encoding.ASCII.GetBytes(
            $"Content-Type: multipart/report; report-type={reportType}; boundary=b\r\n\r\n--b\r\n\r\nexplanation\r\n--b\r\nContent-Type: {partType}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n");
        return MimeLoader.LoadMessage([.. head, .. body, .. "\r\n--b--\r\n"u8]);
    }

    static DeliveryStatusReport Dsn(string body) =>
        (DeliveryStatusReport)MailReports.TryRead(Report("delivery-status", "message/delivery-status", Encoding.UTF8.GetBytes(body)))!;

    static DispositionNotification Mdn(string body) =>
        (DispositionNotification)MailReports.TryRead(Report("disposition-notification", "message/disposition-notification", Encoding.UTF8.GetBytes(body)))!;

    [Test]
    public void AMegabyteFieldDoesNotHideTheOthers()
    {
        var recipient = Dsn($"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; a@b.org\r\nDiagnostic-Code: smtp; {new string('x', 1 << 20)}\r\nAction: failed\r\nStatus: 5.1.1\r\n").Recipients.Single();
        Assert.That((recipient.FinalRecipient, recipient.Action, recipient.Status), Is.EqualTo(("a@b.org", DeliveryAction.Failed, "5.1.1")));

        var folded = Dsn($"Reporting-MTA: dns;{string.Concat(Enumerable.Repeat(" mx\r\n", 100_000))}\r\nFinal-Recipient: rfc822; a@b.org\r\n");
        Assert.That(folded.Recipients.Single().FinalRecipient, Is.EqualTo("a@b.org"));
        var mdn = Mdn($"Reporting-UA: {new string('u', 1 << 20)}\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n");
        Assert.That(mdn.Disposition, Is.EqualTo(DispositionType.Displayed));
    }

    [Test]
    public void AMegabyteLineWithoutBreakOrColon()
    {
        Assert.That(Dsn(new string('y', 1 << 20)).Recipients, Is.Empty);
        Assert.That(Mdn(new string(':', 1 << 20)).Disposition, Is.EqualTo(DispositionType.Unknown));
    }

    [Test]
    public void HundredsOfThousandsOfRecipientsAreCut()
    {
        var report = Dsn(string.Concat(Enumerable.Repeat("Final-Recipient: rfc822; a@b.org\r\nAction: failed\r\n", 200_000)));
        Assert.That(report.Recipients, Has.Count.InRange(1, 1_000));
        Assert.That(report.Recipients, Has.All.Property(nameof(RecipientStatus.Action)).EqualTo(DeliveryAction.Failed));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void BinaryGarbageBodies(int seed)
    {
        var garbage = new byte[256 * 1024];
        new Random(seed).NextBytes(garbage);
        // Sprinkle line breaks, colons and blank lines so that the field reader has something to chew on.
        for (var i = 0; i < garbage.Length; i += 37)
        {
            garbage[i] = "\n:\r \t"u8[i % 5];
        }
        Assert.That(MailReports.TryRead(Report("delivery-status", "message/delivery-status", garbage)), Is.TypeOf<DeliveryStatusReport>());
        Assert.That(MailReports.TryRead(Report("disposition-notification", "message/global-disposition-notification", garbage)), Is.TypeOf<DispositionNotification>());
        Assert.That(MailReports.TryRead(Report("delivery-status", "message/delivery-status", garbage, "base64")), Is.TypeOf<DeliveryStatusReport>());
        Assert.That(MailReports.TryRead(Report("delivery-status", "message/delivery-status", garbage, "quoted-printable")), Is.TypeOf<DeliveryStatusReport>());
    }

    // Without any blank line MimeKit refuses the message (an invalid header line): no report either way.
    [TestCase("Content-Type: multipart/report; report-type=delivery-status; boundary=b\n--b\nContent-Type: message/delivery-status\nReporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b.org\nAction: failed\n--b--", null)]
    [TestCase("Content-Type: message/delivery-status\nReporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b.org\nAction: bounced", typeof(DeliveryStatusReport))]
    [TestCase("Content-Type: message/disposition-notification\nDisposition: manual-action/MDN-sent-manually; displayed", typeof(DispositionNotification))]
    [TestCase("Content-Type: message/delivery-status\n\n\n\n\n", typeof(DeliveryStatusReport))]
    [TestCase("Content-Type: message/delivery-status\n\n:\n \n\t\n::::\nAction:\nStatus:\nFinal-Recipient: ;\nFinal-Recipient: rfc822;\n", typeof(DeliveryStatusReport))]
    [TestCase("Content-Type: message/disposition-notification\n\nOriginal-Message-ID: <\nDisposition: ;/,\nFinal-Recipient: utf-8; \\x{D800}\\x{110000}\\x{}\\x{41\n", typeof(DispositionNotification))]
    public void NoBlankLinesAndDegenerateFields(string input, Type? expected)
    {
        var message = MimeLoaderTests.LoadOrRefuse(Encoding.UTF8.GetBytes(input));
        var report = message is null ? null : MailReports.TryRead(message);
        Assert.That(report?.GetType(), Is.EqualTo(expected));
        if (report is DeliveryStatusReport dsn)
        {
            Assert.That(dsn.Recipients.All(r => r.EffectiveAction == DeliveryAction.Unknown), Is.True);
        }
        if (report is DispositionNotification { FinalRecipient: { } final })
        {
            Assert.That(final, Is.EqualTo("\\x{D800}\\x{110000}\\x{}\\x{41"), "malformed escapes stay as written");
        }
    }

    [Test]
    public void CyclicTreeBuiltInCodeTerminates()
    {
        var multipart = new Multipart("mixed");
        multipart.Add(multipart);
        Assert.That(MailReports.TryRead(multipart), Is.Null);
        multipart.Add(new MessageDeliveryStatus());
        Assert.That(MailReports.TryRead(new Multipart("mixed") { multipart }), Is.Null.Or.TypeOf<DeliveryStatusReport>());
    }

    internal static IEnumerable<byte[]> Samples()
    {
        foreach (var name in new[] { "delivery-status.txt", "delivery-status2.txt", "bounce.txt", "disposition-notification.txt" })
        {
            yield return MimeCorpus.Bytes(name);
        }
        yield return MimeBytes.Canonical(MimeTest.Message(ReadReceiptBuilder.Build("Lu é", "MiSS", "b@x.org", "m@x")));
    }

    [Test]
    public void TruncatedAtEveryOffsetNeverThrows()
    {
        var recognised = 0;
        foreach (var sample in Samples().Where(s => s.Length < 8000))
        {
            for (var cut = 0; cut <= sample.Length; cut++)
            {
                if (MimeLoaderTests.LoadOrRefuse(sample[..cut]) is { } message && MailReports.TryRead(message) is not null)
                {
                    recognised++;
                }
            }
        }
        Assert.That(recognised, Is.GreaterThan(0));
    }

    [Test]
    public void MutatedReportsNeverThrow()
    {
        var random = new Random(3464);
        var alphabet = "\r\n-:;=/<>()\" \t,\\x{}5.1.1rfc822failed"u8.ToArray();
        var recognised = 0;
        var samples = Samples().ToList();
        foreach (var sample in samples)
        {
            for (var round = 0; round < 400; round++)
            {
                var bytes = sample.ToList();
                for (var k = random.Next(1, 10); k > 0 && bytes.Count > 0; k--)
                {
                    var at = random.Next(bytes.Count);
                    switch (random.Next(4))
                    {
                        case 0: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                        case 1: bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); break;
                        case 2: bytes.InsertRange(at, sample.Skip(random.Next(sample.Length)).Take(random.Next(1, 80))); break;
                        default: bytes.InsertRange(at, "\r\n\r\n"u8.ToArray()); break;
                    }
                }
                if (MimeLoaderTests.LoadOrRefuse([.. bytes]) is { } message && MailReports.TryRead(message) is { } report)
                {
                    recognised++;
                    _ = report.ToString();
                }
            }
        }
        // Up to ten edits to a 1-2 KiB message often hit its Content-Type or a boundary line; many stay reports.
        Assert.That(recognised, Is.GreaterThan(samples.Count * 400 / 4), "the mutants went through the report reader, not only the MIME reader");
    }
}
