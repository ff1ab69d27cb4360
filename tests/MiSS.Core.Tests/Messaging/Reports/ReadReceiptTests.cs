using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Messaging.Reports;

namespace MiSS.Core.Tests.Messaging.Reports;

/// <summary>Read receipts: built with <see cref="ReadReceiptBuilder"/>, written, and read back with <see cref="MailReports"/>; received ones parsed.</summary>
public class ReadReceiptTests
{
    const string FrenchText = "Bonjour,\nle message « Compte rendu » envoyé le 2 mai a été affiché par le destinataire.\nCeci ne garantit pas qu'il a été lu ou compris.";

    static (DispositionNotification Report, string Wire) RoundTrip(MultipartReport built)
    {
        var message = MimeTest.Message(built);
        message.From.Add(new MailboxAddress("", "b@example.net"));
        message.To.Add(new MailboxAddress("", "a@example.org"));
        message.Subject = "Accusé de lecture";
        var wire = MimeBytes.Canonical(message);
        var read = MailReports.TryRead(MimeLoader.LoadMessage(wire));
        Assert.That(read, Is.TypeOf<DispositionNotification>());
        return ((DispositionNotification)read!, Encoding.UTF8.GetString(wire));
    }

    [Test]
    public void ReadReceiptOnTheWireAndBack()
    {
        var (report, wire) = RoundTrip(ReadReceiptBuilder.Build(FrenchText, "MiSS", "b@example.net", "20240502.x1@miss.example.fr"));
        Assert.That(wire, Does.Contain("multipart/report").And.Contain("report-type=disposition-notification"));
        Assert.That(wire, Does.Contain("Content-Type: message/disposition-notification\r\n"));
        Assert.That(wire, Does.Contain("Original-Message-ID: <20240502.x1@miss.example.fr>\r\n"));
        Assert.That(wire, Does.Contain("Disposition: manual-action/MDN-sent-manually; displayed\r\n"));
        Assert.That(report.FinalRecipient, Is.EqualTo("b@example.net"));
        Assert.That(report.OriginalMessageId, Is.EqualTo("20240502.x1@miss.example.fr"));
        Assert.That(report.Disposition, Is.EqualTo(DispositionType.Displayed));
        Assert.That(report.ReturnedMessageId, Is.Null, "nothing of the original is returned");
    }

    [Test]
    public void ANonAsciiReaderIsAUtf8AddressOfAGlobalNotification()
    {
        var (report, wire) = RoundTrip(ReadReceiptBuilder.Build("Lu.", "MiSS", "élodie@hôpital.fr", "x@y"));
        Assert.That(wire, Does.Contain("Content-Type: message/global-disposition-notification"), "RFC 6533: UTF-8 fields need the global type");
        Assert.That(wire, Does.Contain("Final-Recipient: utf-8;élodie@hôpital.fr\r\n"), "raw UTF-8, no encoded words");
        Assert.That(report.FinalRecipient, Is.EqualTo("élodie@hôpital.fr"));
    }

    [Test]
    public void LineBreaksInTheValuesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => ReadReceiptBuilder.Build("t", "MiSS\r\nBcc: x@evil.example", "b@x.org", "m@x"));
        Assert.Throws<ArgumentException>(() => ReadReceiptBuilder.Build("t", "MiSS", "b@x.org\nX-Injected: y", "m@x"));
        Assert.Throws<ArgumentException>(() => ReadReceiptBuilder.Build("t", "MiSS", "b@x.org", "m@x>\rDisposition: automatic-action/x; deleted"));
        // Line breaks in the text for people are text.
        Assert.That(ReadReceiptBuilder.Build("ligne 1\r\nBcc: x@evil.example", "MiSS", "b@x.org", "m@x"), Has.Count.EqualTo(2));
    }

    [Test]
    public void MessageIdOfTheOriginalMayComeWithBrackets() =>
        Assert.That(RoundTrip(ReadReceiptBuilder.Build("t", "MiSS", "b@x.org", " <m@x> ")).Wire, Does.Contain("Original-Message-ID: <m@x>\r\n"));

    [Test]
    public void BareNotificationWithoutMultipart()
    {
        var message = MimeLoader.LoadMessage(MimeCorpus.Crlf("""
            Content-Type: message/disposition-notification

            Reporting-UA: ua
            Final-Recipient: rfc822; b@example.net
            Original-Message-ID: <m@x>
            Disposition: automatic-action/MDN-sent-automatically; deleted
            """));
        var report = MailReports.TryRead(message);
        Assert.That(report, Is.EqualTo(new DispositionNotification("m@x", "b@example.net", DispositionType.Deleted)));
    }

    [TestCase("manual-action/MDN-sent-manually; displayed", DispositionType.Displayed)]
    [TestCase("automatic-action/MDN-sent-automatically; deleted/error", DispositionType.Deleted)]
    [TestCase("  Manual-Action / MDN-Sent-Automatically ;Dispatched / Error , Warning ", DispositionType.Dispatched)]
    [TestCase("(user) manual-action/MDN-sent-manually (asked); processed (done)", DispositionType.Processed)]
    [TestCase("displayed", DispositionType.Displayed)]
    [TestCase("displayed/error", DispositionType.Displayed)]
    [TestCase("automatic-action/MDN-sent-automatically", DispositionType.Unknown)]
    [TestCase("manual-action/MDN-sent-manually; denied", DispositionType.Unknown)]
    [TestCase("read; seen", DispositionType.Unknown)]
    [TestCase("", DispositionType.Unknown)]
    [TestCase(";;;///,,,", DispositionType.Unknown)]
    public void Dispositions(string value, DispositionType expected)
    {
        var message = MimeLoader.LoadMessage(MimeCorpus.Crlf($"Content-Type: message/disposition-notification\n\nFinal-Recipient: rfc822; b@x.org\nDisposition: {value}\n"));
        Assert.That(((DispositionNotification)MailReports.TryRead(message)!).Disposition, Is.EqualTo(expected));
    }

    // Generators: French-looking text, plausible addresses and message ids (as MiSS writes them: dot-atoms).
    static readonly Gen<string> HumanText = Gen.Frequency(
            (10, Gen.Choose(' ', '~').Select(i => (char)i)),
            (2, Gen.Elements("éèêàçùôœÉ«»’€\t".ToCharArray())),
            (1, Gen.Elements('\n', '\r')))
        .ArrayOf().Select(c => new string(c));

    static readonly Gen<string> Address =
        from local in Gen.Elements("b", "jean.dupont", "x+tag", "élodie", "o'neil", "a=b")
        from domain in Gen.Elements("example.net", "hôpital.fr", "sub.example.org")
        select $"{local}@{domain}";

    static readonly Gen<string> MessageId =
        from left in Gen.Elements("20240502.x1", "a.b.c", "$%&*+-/=?^_`{|}~", "X", Guid.NewGuid().ToString("N"))
        from right in Gen.Elements("miss.example.fr", "h", "dev.mssante.test")
        select $"{left}@{right}";

    [FsCheck.NUnit.Property(MaxTest = 150)]
    public Property BuildWriteReadGivesTheSameValues() => Prop.ForAll(
        (from text in HumanText from reader in Address from id in MessageId select (text, reader, id)).ToArbitrary(),
        input =>
        {
            var (text, reader, id) = input;
            var (report, wire) = RoundTrip(ReadReceiptBuilder.Build(text, "MiSS", reader, id));
            Assert.That(report, Is.EqualTo(new DispositionNotification(id, reader, DispositionType.Displayed)));
            Assert.That(wire.Contains("message/global-disposition-notification", StringComparison.Ordinal), Is.EqualTo(!Ascii.IsValid(reader)));
        });
}
