using MiSS.Mail.Mime;
using MiSS.Mail.Reports;
using MiSS.Mail.Tests.Mime;

namespace MiSS.Mail.Tests.Reports;

/// <summary>
/// Every report of the shared corpus (real bounces and notifications, see /work/shared/corpora/README.md) read with
/// the values that stand in the files.
/// </summary>
public class ReportCorpusTests
{
    private static MimeMessage Load(string file) =>
        MimeReader.ReadMessage(File.ReadAllBytes(Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "messages", file)));

    private static DeliveryStatusReport Dsn(string file)
    {
        var report = MailReports.TryRead(Load(file));
        Assert.That(report, Is.TypeOf<DeliveryStatusReport>(), file);
        return (DeliveryStatusReport)report!;
    }

    private static DispositionNotification Mdn(string file)
    {
        var report = MailReports.TryRead(Load(file));
        Assert.That(report, Is.TypeOf<DispositionNotification>(), file);
        return (DispositionNotification)report!;
    }

    // The corpus files have LF line ends, kept in the texts.

    // The -no-blank-line copy has an extra blank line after the recipient group: same report.
    [TestCase("delivery-status.txt")]
    [TestCase("delivery-status-no-blank-line.txt")]
    public void NetscapeEraBounceWithTheExplanationInThePreamble(string file)
    {
        var report = Dsn(file);
        Assert.That(report.ReportType, Is.EqualTo("delivery-status"));
        Assert.That(report.IsGlobal, Is.False);
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue("dns", "mm1")));
        Assert.That(report.ArrivalDate, Is.EqualTo(new DateTimeOffset(1996, 7, 29, 2, 12, 50, TimeSpan.FromHours(-7))));
        Assert.That(report.OriginalEnvelopeId, Is.Null);
        Assert.That(report.MessageFields.Select(f => f.Name), Is.EqualTo(new[] { "Reporting-MTA", "Arrival-Date" }));

        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "newsletter-request@imusic.com")));
        Assert.That(recipient.OriginalRecipient, Is.Null);
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.RawAction, Is.EqualTo("failed"));
        Assert.That(recipient.Status, Is.Null);
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.DiagnosticCode, Is.EqualTo(new TypedValue("x-local", "500 (err.nosuchuser)")));

        // No first part: the explanation stands in the preamble of the multipart/report.
        Assert.That(report.HumanReadableText, Does.StartWith("Processing your mail message caused the following errors:")
            .And.Contain("error: err.nosuchuser: newsletter-request@imusic.com"));
        Assert.That(report.ReturnedMessage, Is.Not.Null);
        Assert.That(report.ReturnedMessageId, Is.EqualTo("31FC7EB4.41C6@netscape.com"));
        Assert.That(report.ReturnedMessage!.Subject, Is.EqualTo("unsubscribe"));
        Assert.That(report.ReturnedHeaders!["Content-Transfer-Encoding"], Is.EqualTo("7bit"), "Content-* fields are returned too");
    }

    [Test]
    public void EximBounceWithActionBeforeFinalRecipient()
    {
        var report = Dsn("delivery-status2.txt");
        Assert.That(report.ReportType, Is.EqualTo("delivery-status"));
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue("dns", "smtp-out.dis-hosting.net")));
        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "source@domain.com")));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.Status, Is.EqualTo(new EnhancedStatusCode(5, 0, 0)));
        Assert.That(recipient.RawStatus, Is.EqualTo("5.0.0"));
        Assert.That(recipient.Status!.Value.IsPermanentFailure, Is.True);
        Assert.That(recipient.Fields.Select(f => f.Name), Is.EqualTo(new[] { "Action", "Final-Recipient", "Status" }));
        Assert.That(report.HumanReadableText, Does.StartWith("This message was created automatically by mail delivery software.")
            .And.Contain("source@domain.com\n    Unknown user"));
        // The returned message has no Message-ID; its other fields are there.
        Assert.That(report.ReturnedMessageId, Is.Null);
        Assert.That(report.ReturnedHeaders!["Return-path"], Is.EqualTo("<delivery@domain.fr>"));
        Assert.That(report.ReturnedMessage!.Body.ContentType.MimeType, Is.EqualTo("multipart/alternative"));
    }

    [Test]
    public void TwoBlankLinesNoActionNoFinalRecipientNoClosingBoundary()
    {
        var report = Dsn("delivery-status-multiple-blank-lines.txt");
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue("dns", "someserver.com")));
        var recipient = report.Recipients.Single();
        Assert.That(recipient.OriginalRecipient, Is.EqualTo(new TypedValue("rfc822", "orig_recip@customer.com")));
        Assert.That(recipient.FinalRecipient, Is.Null);
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.RawAction, Is.Null);
        Assert.That(recipient.Status, Is.EqualTo(new EnhancedStatusCode(5, 5, 0)));
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Failed), "a 5.x.x status without Action is a failure");
        Assert.That(recipient.DiagnosticCode, Is.EqualTo(new TypedValue("smtp", "550 Requested action not taken")));
        Assert.That(report.HumanReadableText, Is.EqualTo("This is human readable text about the bounce information\n"));
        Assert.That(report.ReturnedHeaders, Is.Null);
        Assert.That(report.ReturnedMessage, Is.Null);
    }

    [Test]
    public void PostfixBounceWhoseRecipientFieldsARelayLeftBase64Encoded()
    {
        // Proofpoint pushed the part's Content-Transfer-Encoding into the body: after the per-message group, the
        // recipient group is base64 text. It is decoded and read.
        var report = Dsn("bounce.txt");
        Assert.That(report.ReportType, Is.EqualTo("delivery-status"));
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue("dns", "hmail.jitbit.com")));
        Assert.That(report.ArrivalDate, Is.EqualTo(new DateTimeOffset(2022, 1, 26, 4, 6, 46, TimeSpan.FromHours(-5))));
        Assert.That(report.MessageFields.Single(f => f.Name == "X-Postfix-Queue-ID").Value, Is.EqualTo("630A242E63"));
        Assert.That(report.MessageFields.Single(f => f.Name == "X-Postfix-Sender").Value, Is.EqualTo("rfc822; helpdesk@netecgc.com"));

        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "netec.test@netecgc.com")));
        Assert.That(recipient.OriginalRecipient, Is.EqualTo(new TypedValue("rfc822", "netec.test@netecgc.com")));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(recipient.Status, Is.EqualTo(new EnhancedStatusCode(5, 1, 1)));
        Assert.That(recipient.RemoteMta!.Type, Is.EqualTo("dns"));
        Assert.That(recipient.RemoteMta.Value, Does.StartWith("https://urldefense.proofpoint.com/v2/url?u=http-3A__mx1-2Deu1.ppe-2Dhosted.com&d=DwICAQ"));
        // Folded over two lines in the report: unfolding keeps the indentation of the continuation line.
        Assert.That(recipient.DiagnosticCode, Is.EqualTo(new TypedValue("smtp", "550 5.1.1 <netec.test@netecgc.com>: Recipient address    rejected: User unknown")));

        Assert.That(report.HumanReadableText, Does.StartWith("This is the mail system at host https://urldefense.proofpoint.com/")
            .And.Contain("Recipient address rejected: User unknown"));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@jitbit.com"));
        Assert.That(report.ReturnedMessage!.InReplyTo, Is.Null);
        Assert.That(report.ReturnedMessage.References, Is.EqualTo(new[] { "44565655.JitbitHelpdesk.13439@jitbit.com" }));
    }

    [Test]
    public void AnonymizedBounceIsRecognisedByItsPartTypeAndKeepsWhatItCan()
    {
        var report = Dsn("delivery-status.anonymized.eml");
        Assert.That(report.ReportType, Is.EqualTo("xxxxxxxxxxxxxxx"));
        // Without ';' a value has no type; unreadable dates are null; the raw action is kept.
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue(null, "xxxx xxx")));
        Assert.That(report.ArrivalDate, Is.Null);
        Assert.That(report.MessageFields.Single(f => f.Name == "Arrival-Date").Value, Is.EqualTo("xxxx xx xxx xxxx xxxxxxxx xxxxx"));
        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo(new TypedValue(null, "xxxxxxx xxxxxxxxxxxxxxxxxxxxxxxxxxxxx")));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.RawAction, Is.EqualTo("xxxxxx"));
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.DiagnosticCode, Is.EqualTo(new TypedValue(null, "xxxxxxxx xxx xxxxxxxxxxxxxxxx")));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("xxxxxxxx.xxxx@xxxxxxxx.xxx"));
        Assert.That(report.HumanReadableText, Does.StartWith("xxxxxxxxxx xxxx xxxx xxxxxxx xxxxxx xxx xxxxxxxxx xxxxxxx"));
    }

    [Test]
    public void Rfc3798SampleNotification()
    {
        var report = Mdn("disposition-notification.txt");
        Assert.That(report.ReportType, Is.EqualTo("disposition-notification"));
        Assert.That(report.IsGlobal, Is.False);
        Assert.That(report.ReportingUa, Is.EqualTo("joes-pc.cs.example.com; Foomail 97.1"));
        Assert.That(report.MdnGateway, Is.Null);
        Assert.That(report.OriginalRecipient, Is.EqualTo(new TypedValue("rfc822", "Joe_Recipient@example.com")));
        Assert.That(report.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "Joe_Recipient@example.com")));
        Assert.That(report.OriginalMessageId, Is.EqualTo("199509192301.23456@example.org"));
        var disposition = report.Disposition!;
        Assert.That(disposition.ActionMode, Is.EqualTo(DispositionActionMode.Manual));
        Assert.That(disposition.SendingMode, Is.EqualTo(DispositionSendingMode.SentManually));
        Assert.That(disposition.Type, Is.EqualTo(DispositionType.Displayed));
        Assert.That(disposition.Modifiers, Is.Empty);
        Assert.That(disposition.HasError, Is.False);
        Assert.That(disposition.Raw, Is.EqualTo("manual-action/MDN-sent-manually; displayed"));
        Assert.That(report.Errors, Is.Empty);
        // The first part has no header at all: text/plain by default.
        Assert.That(report.HumanReadableText, Does.StartWith("The message sent on 1995 Sep 19 at 13:30:00 (EDT) -0400 to Joe\nRecipient")
            .And.Contain("has been displayed."));
        Assert.That(report.ReturnedMessageId, Is.EqualTo(report.OriginalMessageId));
        Assert.That(report.ReturnedMessage!.Subject, Is.EqualTo("First draft of report"));
    }

    [Test]
    public void AnonymizedNotificationIsRecognisedByItsPartType()
    {
        var report = Mdn("disposition-notification.anonymized.eml");
        Assert.That(report.ReportType, Is.EqualTo("xxxxxxxxxxxxxxxxxxxxxxxx"));
        Assert.That(report.ReportingUa, Is.EqualTo("xxxxxxxxxxxxxxxxxxxxxxx xxxxxxx xxxx"));
        Assert.That(report.OriginalRecipient, Is.EqualTo(new TypedValue(null, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")));
        Assert.That(report.FinalRecipient, Is.EqualTo(new TypedValue(null, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")));
        Assert.That(report.OriginalMessageId, Is.EqualTo("xxxxxxxxxxxx.xxxxx@xxxxxxx.xxx"));
        var disposition = report.Disposition!;
        Assert.That((disposition.ActionMode, disposition.SendingMode, disposition.Type),
            Is.EqualTo((DispositionActionMode.Unknown, DispositionSendingMode.Unknown, DispositionType.Unknown)));
        Assert.That(disposition.Raw, Is.EqualTo("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx xxxxxxxxx"));
        Assert.That(disposition.ToString(), Is.EqualTo(disposition.Raw));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("xxxxxxxxxxxx.xxxxx@xxxxxxx.xxx"));
    }

    [Test]
    public void CorpusMessagesThatAreNotReportsGiveNull()
    {
        var reports = new[] { "delivery-status", "disposition-notification", "bounce" };
        var dir = Path.Combine(MimeTestUtil.CorporaRoot(), "mimekit", "messages");
        var others = Directory.GetFiles(dir).Where(f => !reports.Any(r => Path.GetFileName(f).StartsWith(r, StringComparison.Ordinal))).ToList();
        Assert.That(others, Has.Count.GreaterThan(10));
        foreach (var file in others)
            Assert.That(MailReports.TryRead(MimeReader.ReadMessage(File.ReadAllBytes(file))), Is.Null, file);
    }
}
