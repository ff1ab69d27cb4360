using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Messaging.Reports;

namespace MiSS.Core.Tests.Messaging.Reports;

/// <summary>
/// Every report of the shared corpus (real bounces and notifications, ../shared/corpora/README.md) read with the values
/// that stand in the files.
/// </summary>
public class ReportCorpusTests
{
    static MimeMessage Load(string file) => MimeLoader.LoadMessage(MimeCorpus.Bytes(file));

    static DeliveryStatusReport Dsn(string file)
    {
        var report = MailReports.TryRead(Load(file));
        Assert.That(report, Is.TypeOf<DeliveryStatusReport>(), file);
        return (DeliveryStatusReport)report!;
    }

    static DispositionNotification Mdn(string file)
    {
        var report = MailReports.TryRead(Load(file));
        Assert.That(report, Is.TypeOf<DispositionNotification>(), file);
        return (DispositionNotification)report!;
    }

    // The -no-blank-line copy has an extra blank line after the recipient group: same report.
    [TestCase("delivery-status.txt")]
    [TestCase("delivery-status-no-blank-line.txt")]
    public void NetscapeEraBounce(string file)
    {
        var report = Dsn(file);
        Assert.That(report.OriginalEnvelopeId, Is.Null);
        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo("newsletter-request@imusic.com"));
        Assert.That(recipient.OriginalRecipient, Is.Null);
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.Status, Is.Null);
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.DiagnosticCode, Is.EqualTo("500 (err.nosuchuser)"), "a diagnostic is text: parentheses are not comments");
        Assert.That(report.ReturnedMessageId, Is.EqualTo("31FC7EB4.41C6@netscape.com"));
    }

    [Test]
    public void EximBounceWithActionBeforeFinalRecipient()
    {
        var report = Dsn("delivery-status2.txt");
        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo("source@domain.com"));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.Status, Is.EqualTo("5.0.0"));
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Failed));
        // The returned message has no Message-ID.
        Assert.That(report.ReturnedMessageId, Is.Null);
    }

    [Test]
    public void TwoBlankLinesNoActionNoFinalRecipientNoClosingBoundary()
    {
        var recipient = Dsn("delivery-status-multiple-blank-lines.txt").Recipients.Single();
        Assert.That(recipient.OriginalRecipient, Is.EqualTo("orig_recip@customer.com"));
        Assert.That(recipient.FinalRecipient, Is.Null);
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.Status, Is.EqualTo("5.5.0"));
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Failed), "a 5.x.x status without Action is a failure");
        Assert.That(recipient.DiagnosticCode, Is.EqualTo("550 Requested action not taken"));
    }

    [Test]
    public void PostfixBounceWhoseRecipientFieldsARelayLeftBase64Encoded()
    {
        // Proofpoint pushed the part's Content-Transfer-Encoding into the body: after the per-message group, the
        // recipient group is base64 text. It is decoded and read.
        var report = Dsn("bounce.txt");
        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo("netec.test@netecgc.com"));
        Assert.That(recipient.OriginalRecipient, Is.EqualTo("netec.test@netecgc.com"));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.Status, Is.EqualTo("5.1.1"));
        Assert.That(recipient.DiagnosticCode, Does.StartWith("550 5.1.1 <netec.test@netecgc.com>: Recipient address").And.EndWith("rejected: User unknown"));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@jitbit.com"));
    }

    [Test]
    public void AnonymizedBounceIsRecognisedByItsPartTypeAndKeepsWhatItCan()
    {
        var report = Dsn("delivery-status.anonymized.eml");
        var recipient = report.Recipients.Single();
        // Without ';' a value has no type: kept whole.
        Assert.That(recipient.FinalRecipient, Is.EqualTo("xxxxxxx xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.DiagnosticCode, Is.EqualTo("xxxxxxxx xxx xxxxxxxxxxxxxxxx"));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("xxxxxxxx.xxxx@xxxxxxxx.xxx"));
    }

    [Test]
    public void Rfc3798SampleNotification()
    {
        var report = Mdn("disposition-notification.txt");
        Assert.That(report.FinalRecipient, Is.EqualTo("Joe_Recipient@example.com"));
        Assert.That(report.OriginalMessageId, Is.EqualTo("199509192301.23456@example.org"));
        Assert.That(report.Disposition, Is.EqualTo(DispositionType.Displayed));
        Assert.That(report.ReturnedMessageId, Is.EqualTo(report.OriginalMessageId));
    }

    [Test]
    public void AnonymizedNotificationIsRecognisedByItsPartType()
    {
        var report = Mdn("disposition-notification.anonymized.eml");
        Assert.That(report.FinalRecipient, Is.EqualTo("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        Assert.That(report.OriginalMessageId, Is.EqualTo("xxxxxxxxxxxx.xxxxx@xxxxxxx.xxx"));
        Assert.That(report.Disposition, Is.EqualTo(DispositionType.Unknown));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("xxxxxxxxxxxx.xxxxx@xxxxxxx.xxx"));
    }

    [Test]
    public void CorpusMessagesThatAreNotReportsGiveNull()
    {
        var reports = new[] { "delivery-status", "disposition-notification", "bounce" };
        var others = Directory.GetFiles(MimeCorpus.MessagesDir())
            .Where(f => !reports.Any(r => Path.GetFileName(f).StartsWith(r, StringComparison.Ordinal))).ToList();
        Assert.That(others, Has.Count.GreaterThan(10));
        foreach (var file in others)
        {
            Assert.That(MailReports.TryRead(MimeLoader.LoadMessage(File.ReadAllBytes(file))), Is.Null, file);
        }
    }
}
