using MiSS.Mail.Mime;

namespace MiSS.Mail.Tests.Mime;

/// <summary>Real-world messages that nobody on this project wrote (see /work/shared/corpora/README.md).</summary>
public class CorpusTests
{
    private static string MessagesDir() => Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "messages");

    [Test]
    public void EveryCorpusMessageParsesAndRoundTripsDeterministically()
    {
        var files = Directory.GetFiles(MessagesDir());
        Assert.That(files, Has.Length.GreaterThan(20));
        foreach (var file in files)
        {
            var data = File.ReadAllBytes(file);
            var message = MimeReader.ReadMessage(data);
            Assert.That(message.RawBytes!.Value.Length, Is.EqualTo(data.Length), file);
            foreach (var (entity, _) in MimeTestUtil.Walk(message.Body))
            {
                if (entity is MimePart part)
                    _ = part.GetText();
            }
            var written = MimeWriter.ToBytes(message);
            var again = MimeWriter.ToBytes(MimeReader.ReadMessage(written));
            Assert.That(again, Is.EqualTo(written), $"{Path.GetFileName(file)}: write → read → write differs");
            Assert.That(MimeTestUtil.Outline(MimeReader.ReadMessage(written).Body), Is.EqualTo(MimeTestUtil.Outline(message.Body)), file);
        }
    }

    [TestCase("delivery-status.txt", "delivery-status")]
    [TestCase("delivery-status2.txt", "delivery-status")]
    [TestCase("delivery-status-no-blank-line.txt", "delivery-status")]
    [TestCase("delivery-status-multiple-blank-lines.txt", "delivery-status")]
    [TestCase("delivery-status.anonymized.eml", "delivery-status")]
    [TestCase("disposition-notification.txt", "disposition-notification")]
    [TestCase("disposition-notification.anonymized.eml", "disposition-notification")]
    public void ReportsAreMultipartReportWithTheirReportType(string file, string reportType)
    {
        var message = MimeReader.ReadMessage(File.ReadAllBytes(Path.Combine(MessagesDir(), file)));
        var report = message.Body as Multipart;
        Assert.That(report, Is.Not.Null);
        Assert.That(report!.ContentType.MimeType, Is.EqualTo("multipart/report"));
        // The anonymized copies replaced letters by 'x', the report-type parameter included (not the part types).
        var expected = file.Contains("anonymized", StringComparison.Ordinal) ? new string('x', reportType.Length) : reportType;
        Assert.That(report.ContentType.Parameters["report-type"], Is.EqualTo(expected));
        Assert.That(report.Parts.Select(p => p.ContentType.MimeType), Does.Contain($"message/{reportType}"));
    }
}
