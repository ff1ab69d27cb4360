using System.Diagnostics;
using System.Text;
using MiSS.Mail.Mime;
using MiSS.Mail.Reports;
using MiSS.Mail.Tests.Mime;

namespace MiSS.Mail.Tests.Reports;

/// <summary>Hostile and broken reports: <see cref="MailReports.TryRead(MimeMessage)"/> returns null or what it could read, never throws, stays bounded.</summary>
public class ReportRobustnessTests
{
    private static MimeMessage Report(string reportType, string partType, byte[] body, string encoding = "binary")
    {
        var head = Encoding.ASCII.GetBytes(
            $"Content-Type: multipart/report; report-type={reportType}; boundary=b\r\n\r\n--b\r\n\r\nexplanation\r\n--b\r\nContent-Type: {partType}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n");
        byte[] all = [.. head, .. body, .. "\r\n--b--\r\n"u8];
        return MimeReader.ReadMessage(all);
    }

    private static MimeMessage Dsn(string body) => Report("delivery-status", "message/delivery-status", Encoding.UTF8.GetBytes(body));

    private static MimeMessage Mdn(string body) => Report("disposition-notification", "message/disposition-notification", Encoding.UTF8.GetBytes(body));

    [Test]
    public void MegabyteFieldIsSkippedAndTheRestIsRead()
    {
        var watch = Stopwatch.StartNew();
        var dsn = MailReports.TryReadDeliveryStatus(Dsn(
            $"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; a@b.org\r\nDiagnostic-Code: smtp; {new string('x', 1 << 20)}\r\nAction: failed\r\nStatus: 5.1.1\r\n"))!;
        var recipient = dsn.Recipients.Single();
        Assert.That(recipient.DiagnosticCode, Is.Null);
        Assert.That((recipient.Action, recipient.Status), Is.EqualTo((DeliveryAction.Failed, (EnhancedStatusCode?)new EnhancedStatusCode(5, 1, 1))));

        // Folded over 100,000 lines, and as a Reporting-UA of an MDN.
        var folded = MailReports.TryReadDeliveryStatus(Dsn($"Reporting-MTA: dns;{string.Concat(Enumerable.Repeat(" mx\r\n", 100_000))}\r\nFinal-Recipient: rfc822; a@b.org\r\n"))!;
        Assert.That(folded.ReportingMta, Is.Null);
        Assert.That(folded.Recipients.Single().FinalRecipient!.Value, Is.EqualTo("a@b.org"));
        var mdn = MailReports.TryReadDispositionNotification(Mdn($"Reporting-UA: {new string('u', 1 << 20)}\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"))!;
        Assert.That(mdn.ReportingUa, Is.Null);
        Assert.That(mdn.Disposition!.Type, Is.EqualTo(DispositionType.Displayed));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void MegabyteLineWithoutBreakOrColon()
    {
        Assert.That(MailReports.TryReadDeliveryStatus(Dsn(new string('y', 1 << 20)))!.Recipients, Is.Empty);
        Assert.That(MailReports.TryReadDispositionNotification(Mdn(new string(':', 1 << 20)))!.Fields, Is.Empty);
    }

    [Test]
    public void HundredsOfThousandsOfFieldsAreCut()
    {
        var watch = Stopwatch.StartNew();
        var many = string.Concat(Enumerable.Repeat("Final-Recipient: rfc822; a@b.org\r\nAction: failed\r\n", 200_000));
        var report = MailReports.TryReadDeliveryStatus(Dsn(many))!;
        Assert.That(report.Recipients, Has.Count.InRange(1, 10_000));
        Assert.That(report.Recipients.Sum(r => r.Fields.Count), Is.LessThanOrEqualTo(10_000));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
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
            garbage[i] = "\n:\r \t"u8[i % 5];
        Assert.That(MailReports.TryRead(Report("delivery-status", "message/delivery-status", garbage)), Is.TypeOf<DeliveryStatusReport>());
        Assert.That(MailReports.TryRead(Report("disposition-notification", "message/global-disposition-notification", garbage)), Is.TypeOf<DispositionNotification>());
        Assert.That(MailReports.TryRead(Report("delivery-status", "message/delivery-status", garbage, "base64")), Is.TypeOf<DeliveryStatusReport>());
        Assert.That(MailReports.TryRead(Report("delivery-status", "message/delivery-status", garbage, "quoted-printable")), Is.TypeOf<DeliveryStatusReport>());
    }

    // Without any blank line the boundary line is read as a wrapped header line: no report can be found.
    [TestCase("Content-Type: multipart/report; report-type=delivery-status; boundary=b\n--b\nContent-Type: message/delivery-status\nReporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b.org\nAction: failed\n--b--", null)]
    [TestCase("Content-Type: message/delivery-status\nReporting-MTA: dns; x\nFinal-Recipient: rfc822; a@b.org\nAction: failed", typeof(DeliveryStatusReport))]
    [TestCase("Content-Type: message/disposition-notification\nDisposition: manual-action/MDN-sent-manually; displayed", typeof(DispositionNotification))]
    [TestCase("Content-Type: message/delivery-status\n\n\n\n\n", typeof(DeliveryStatusReport))]
    [TestCase("Content-Type: message/delivery-status\n\n:\n \n\t\n::::\nAction:\nStatus:\nFinal-Recipient: ;\nFinal-Recipient: rfc822;\n", typeof(DeliveryStatusReport))]
    [TestCase("Content-Type: message/disposition-notification\n\nOriginal-Message-ID: <\nDisposition: ;/,\nFinal-Recipient: utf-8; \\x{D800}\\x{110000}\\x{}\\x{41\n", typeof(DispositionNotification))]
    public void NoBlankLinesAndDegenerateFields(string input, Type? expected)
    {
        var report = MailReports.TryRead(MimeReader.ReadMessage(Encoding.UTF8.GetBytes(input)));
        Assert.That(report?.GetType(), Is.EqualTo(expected));
        if (report is DeliveryStatusReport dsn)
            Assert.That(dsn.Recipients.All(r => r.Action == DeliveryAction.Unknown && r.Status is null), Is.True);
        if (report is DispositionNotification { FinalRecipient: { } final })
            Assert.That(final.Value, Is.EqualTo("\\x{D800}\\x{110000}\\x{}\\x{41"), "malformed escapes stay as written");
    }

    [Test]
    public void HugeHumanReadablePartIsCutAtACharacterBoundary()
    {
        var text = new string('é', 3 << 20); // 6 MiB of UTF-8
        var message = new MimeMessage(new Multipart("report")
        {
            Parts =
            {
                MimePart.CreateText(text),
                new MimePart("message", "delivery-status") { Content = "Final-Recipient: rfc822; a@b.org\r\n"u8.ToArray() },
            },
        });
        var report = MailReports.TryRead(MimeReader.ReadMessage(MimeWriter.ToBytes(message)))!;
        Assert.That(report.HumanReadableText, Has.Length.EqualTo(32 * 1024));
        Assert.That(report.HumanReadableText!.All(c => c == 'é'), Is.True);
    }

    [Test]
    public void CyclicTreeBuiltInCodeTerminates()
    {
        var multipart = new Multipart();
        multipart.Parts.Add(multipart);
        Assert.That(MailReports.TryRead(multipart), Is.Null);
        multipart.Parts.Add(new MimePart("message", "delivery-status"));
        Assert.That(MailReports.TryRead(new Multipart { Parts = { multipart } }), Is.Null.Or.TypeOf<DeliveryStatusReport>());
    }

    private static IEnumerable<byte[]> Samples()
    {
        var dir = Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "messages");
        foreach (var name in new[] { "delivery-status.txt", "delivery-status2.txt", "bounce.txt", "disposition-notification.txt" })
            yield return File.ReadAllBytes(Path.Combine(dir, name));
        var original = new MimeMessage(MimePart.CreateText("x")) { MessageId = "m@x", Subject = "Sujet é" };
        yield return MimeWriter.ToBytes(new MimeMessage(DispositionNotificationBuilder.Build(
            "Lu é", "ua", "b@x.org", "m@x", new Disposition(DispositionType.Displayed), "b@x.org", original.Headers, ["err"])));
    }

    [Test]
    public void TruncatedAtEveryOffsetNeverThrows()
    {
        foreach (var sample in Samples().Where(s => s.Length < 8000))
        {
            for (var cut = 0; cut <= sample.Length; cut++)
                _ = MailReports.TryRead(MimeReader.ReadMessage(sample.AsMemory(0, cut)));
        }
    }

    [Test]
    public void MutatedReportsNeverThrow()
    {
        var random = new Random(3464);
        var alphabet = "\r\n-:;=/<>()\" \t,\\x{}5.1.1rfc822failed"u8.ToArray();
        var recognised = 0;
        foreach (var sample in Samples())
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
                MimeMessage message;
                try
                {
                    message = MimeReader.ReadMessage(bytes.ToArray());
                }
                catch (MimeFormatException)
                {
                    continue;
                }
                if (MailReports.TryRead(message) is { } report)
                {
                    recognised++;
                    _ = (report.ReturnedMessageId, report.ToString());
                }
            }
        }
        // Up to ten edits to a 1-2 KiB message often hit its Content-Type or a boundary line; about half stay reports.
        Assert.That(recognised, Is.GreaterThan(600), "the mutants went through the report reader, not only the MIME reader");
    }
}
