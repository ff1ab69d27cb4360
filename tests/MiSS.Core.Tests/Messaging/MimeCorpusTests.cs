using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Messaging.Reports;
using MiSS.Core.Secure;
using MiSS.Core.Tests.Secure;

namespace MiSS.Core.Tests.Messaging;

/// <summary>Real-world messages that nobody on this project wrote (../shared/corpora/README.md), through the receiving path.</summary>
public class MimeCorpusTests
{
    static string Outline(MimeEntity? root) =>
        string.Concat(MimeCorpus.Walk(root).Select(e => new string(' ', e.Depth * 3) + e.Entity.ContentType.MimeType + "\n"));

    [Test]
    public void EveryCorpusMessageLoadsAndIsReadWithoutAnException()
    {
        var files = Directory.GetFiles(MimeCorpus.MessagesDir()).Order(StringComparer.Ordinal).ToList();
        Assert.That(files, Has.Count.GreaterThan(20));
        var opener = SmimeFixtures.OpenerFor(TestPki.Julien);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var message = MimeLoader.LoadMessage(File.ReadAllBytes(file));
            Assert.That(MimeCorpus.Touch(message), Is.GreaterThan(0), name);
            _ = MailReports.TryRead(message);

            var opened = opener.Open(message);
            Assert.That(opened.Status, Is.EqualTo(OpenStatus.NotSmime), $"{name}: {opened.Detail}");
            var (received, _) = ReceivedMessageReader.Read(message, opened);
            Assert.That(received.Signature.Status, Is.EqualTo(OpenStatus.NotSmime), name);

            // Written as MiSS writes (canonical CRLF) and read again: the same tree. (MimeKit adds a line break when it
            // writes a multipart whose closing boundary was missing, so bytes are not compared.)
            var again = MimeLoader.LoadMessage(MimeBytes.Canonical(message));
            Assert.That(Outline(again.Body), Is.EqualTo(Outline(message.Body)), name);
        }
    }

    [TestCase("delivery-status.txt", "delivery-status")]
    [TestCase("delivery-status2.txt", "delivery-status")]
    [TestCase("delivery-status-no-blank-line.txt", "delivery-status")]
    [TestCase("delivery-status-multiple-blank-lines.txt", "delivery-status")]
    [TestCase("delivery-status.anonymized.eml", "delivery-status")]
    [TestCase("disposition-notification.txt", "disposition-notification")]
    [TestCase("disposition-notification.anonymized.eml", "disposition-notification")]
    public void ReportsAreMultipartReportWithTheirMachineReadablePart(string file, string reportType)
    {
        var message = MimeLoader.LoadMessage(MimeCorpus.Bytes(file));
        Assert.That(message.Body, Is.InstanceOf<Multipart>());
        var report = (Multipart)message.Body;
        Assert.That(report.ContentType.MimeType, Is.EqualTo("multipart/report"));
        // The anonymized copies replaced letters by 'x', the report-type parameter included (not the part types).
        var expected = file.Contains("anonymized", StringComparison.Ordinal) ? new string('x', reportType.Length) : reportType;
        Assert.That(report.ContentType.Parameters["report-type"], Is.EqualTo(expected));
        Assert.That(report.Select(p => p.ContentType.MimeType), Does.Contain($"message/{reportType}"));
    }
}
