using System.Text;
using MimeKit;
using MiSS.Core.Messaging;
using MiSS.Core.Messaging.Reports;

namespace MiSS.Core.Tests.Messaging.Reports;

/// <summary>Delivery status notifications written for the test: the fields MiSS reads, and the usual breakage.</summary>
public class DeliveryStatusTests
{
    /// <summary>A bounce with the given delivery-status body (and optional header lines for that part), as received.</summary>
    internal static MimeMessage Bounce(string statusBody, string partHeaders = "Content-Type: message/delivery-status\n", string returned = "") =>
        MimeLoader.LoadMessage(MimeCorpus.Crlf($"""
            From: MAILER-DAEMON@mx.example.org
            To: a@example.org
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            Votre message n'a pas pu être remis.
            --b1
            {partHeaders}
            {statusBody}
            --b1{returned}
            --b1--
            """));

    static DeliveryStatusReport Read(MimeMessage message)
    {
        var report = MailReports.TryRead(message);
        Assert.That(report, Is.TypeOf<DeliveryStatusReport>());
        return (DeliveryStatusReport)report!;
    }

    [Test]
    public void FieldsWithFoldingCommentsAndExtensions()
    {
        var returned = """

            Content-Type: text/rfc822-headers

            Message-ID: <20240501.abc@miss.example.fr>
            From: a@example.org
            Subject: Compte rendu
             (suite)
            """;
        var report = Read(Bounce("""
            Original-Envelope-Id: QQ314159
            Reporting-MTA: dns; mx.example.org (Postfix)
            Arrival-Date: Wed, 1 May 2024 10:00:00 +0200
            X-Postfix-Queue-ID: 4Vxyz

            Original-Recipient: rfc822;b@example.net
            Final-Recipient: RFC822; <b@example.net> (the mailbox)
            Action: FAILED (permanent)
            Status: 5.1.1 (bad destination mailbox address)
            Remote-MTA: dns; mx.example.net
            Diagnostic-Code: smtp; 550 5.1.1 <b@example.net>:
              Recipient address rejected; User unknown
            X-Extension: kept

            Final-Recipient: rfc822; c@example.net
            Action: delayed
            Status: 4.4.7
            Will-Retry-Until: Sat, 4 May 2024 10:00:00 +0200
            """, returned: returned));

        Assert.That(report.OriginalEnvelopeId, Is.EqualTo("QQ314159"));
        Assert.That(report.Recipients, Has.Count.EqualTo(2));
        var failed = report.Recipients[0];
        Assert.That(failed.OriginalRecipient, Is.EqualTo("b@example.net"));
        Assert.That(failed.FinalRecipient, Is.EqualTo("b@example.net"), "type, brackets and comment removed");
        Assert.That(failed.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(failed.Status, Is.EqualTo("5.1.1"));
        Assert.That(failed.DiagnosticCode, Does.StartWith("550 5.1.1 <b@example.net>:").And.EndWith("Recipient address rejected; User unknown"));
        var delayed = report.Recipients[1];
        Assert.That(delayed.FinalRecipient, Is.EqualTo("c@example.net"));
        Assert.That(delayed.EffectiveAction, Is.EqualTo(DeliveryAction.Delayed));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("20240501.abc@miss.example.fr"), "from the returned headers only");
    }

    [Test]
    public void WithoutAnyBlankLineRecipientsAreSplitByName()
    {
        var report = Read(Bounce("""
            Reporting-MTA: dns; mx.example.org
            Final-Recipient: rfc822; b@example.net
            Action: failed
            Status: 5.2.2
            Final-Recipient: rfc822; c@example.net
            Action: delivered
            Status: 2.0.0
            """));
        Assert.That(report.Recipients.Select(r => (r.FinalRecipient, r.Action, r.Status)),
            Is.EqualTo(new[] { ("b@example.net", DeliveryAction.Failed, "5.2.2"), ("c@example.net", DeliveryAction.Delivered, "2.0.0") }));
    }

    // No blank line after Content-Type: MimeKit takes the per-message group (or all fields, when no blank line follows
    // either) for header fields of the part.
    [TestCase("\n")]
    [TestCase("")]
    public void FieldsInThePartHeaderBlock(string blankLineAfterPerMessageGroup)
    {
        var message = Bounce(
            "Final-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.1.1\n",
            partHeaders: "Content-Type: message/delivery-status\nOriginal-Envelope-Id: env-1\nReporting-MTA: dns; mx.example.org" + blankLineAfterPerMessageGroup);
        var headers = ((Multipart)message.Body!)[1].Headers;
        Assert.That(headers.Contains("Reporting-MTA"), Is.True, "premise");
        Assert.That(headers.Contains("Final-Recipient"), Is.EqualTo(blankLineAfterPerMessageGroup.Length == 0), "premise");
        var report = Read(message);
        Assert.That(report.OriginalEnvelopeId, Is.EqualTo("env-1"));
        var recipient = report.Recipients.Single();
        Assert.That((recipient.FinalRecipient, recipient.Action, recipient.Status), Is.EqualTo(("b@example.net", DeliveryAction.Failed, "5.1.1")));
    }

    [Test]
    public void ExtraBlankLinesEverywhere()
    {
        var report = Read(Bounce("""



            Reporting-MTA: dns; mx.example.org
              


            Final-Recipient: rfc822; b@example.net

            Action: failed
            Status: 5.1.1



            Final-Recipient: rfc822; c@example.net
            Action: failed


            """));
        // The blank line inside the first recipient does not make a third one.
        Assert.That(report.Recipients.Select(r => r.FinalRecipient), Is.EqualTo(new[] { "b@example.net", "c@example.net" }));
        Assert.That(report.Recipients[0].Status, Is.EqualTo("5.1.1"));
        Assert.That(report.Recipients[0].Action, Is.EqualTo(DeliveryAction.Failed));
    }

    [Test]
    public void StrayTextLinesDoNotHideTheFields()
    {
        // MimeKit drops a line without a colon (the old reader glued it to the field above): the fields around it stay.
        var recipient = Read(Bounce("Reporting-MTA: dns; mx.example.org\n\nthis line is no field\nFinal-Recipient: rfc822; b@example.net\nDiagnostic-Code: smtp; 550 first half\nsecond half\nAction: failed\n")).Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo("b@example.net"));
        Assert.That(recipient.DiagnosticCode, Does.StartWith("550 first half"));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
    }

    [Test]
    public void Base64EncodedStatusPartIsDecoded()
    {
        var body = Convert.ToBase64String(Encoding.ASCII.GetBytes("Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; b@example.net\r\nAction: failed\r\nStatus: 5.7.1\r\n"));
        var report = Read(Bounce(body + "\n", partHeaders: "Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n"));
        Assert.That(report.Recipients.Single().Status, Is.EqualTo("5.7.1"));
    }

    [Test]
    public void GlobalDeliveryStatusWithUtf8Addresses()
    {
        var recipient = Read(Bounce(
            "Reporting-MTA: dns; mx.exemple.fr\n\nOriginal-Recipient: utf-8; jos\\x{E9}+tag\\x{2B}x@h\\x{F4}pital.fr\nFinal-Recipient: utf-8; josé@hôpital.fr\nAction: delivered\nStatus: 2.0.0\n",
            partHeaders: "Content-Type: message/global-delivery-status\nContent-Transfer-Encoding: 8bit\n")).Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo("josé@hôpital.fr"));
        Assert.That(recipient.OriginalRecipient, Is.EqualTo("josé+tag+x@hôpital.fr"), "RFC 6533 \\x{...} escapes decoded");
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Delivered));
    }

    [Test]
    public void ReportNestedInMultipartMixedAndSigned()
    {
        var bounce = Bounce("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; b@example.net\nAction: failed\n");
        var signed = new Multipart("signed") { bounce.Body!, MimeTest.Attachment("application/pkcs7-signature", [1, 2, 3], "smime.p7s") };
        var wrapped = MimeTest.Message(new Multipart("mixed") { MimeTest.Text("Scanned by AV"), signed, MimeTest.Text("footer") });
        var report = MailReports.TryRead(MimeLoader.LoadMessage(MimeBytes.Canonical(wrapped)));
        Assert.That(report, Is.TypeOf<DeliveryStatusReport>());
        Assert.That(((DeliveryStatusReport)report!).Recipients.Single().FinalRecipient, Is.EqualTo("b@example.net"));
    }

    [Test]
    public void ABounceOfAReadReceiptIsTheBounceAndAForwardedReportIsNotSearched()
    {
        var mdn = MimeTest.Message(ReadReceiptBuilder.Build("Lu.", "MiSS", "b@example.net", "orig@example.org"));
        mdn.MessageId = "mdn-1@example.net";
        var returned = "\nContent-Type: message/rfc822\n\n" + Encoding.UTF8.GetString(MimeBytes.Canonical(mdn));
        var bounce = Read(Bounce("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n", returned: returned));
        Assert.That(bounce.Recipients.Single().FinalRecipient, Is.EqualTo("a@example.org"));
        Assert.That(bounce.ReturnedMessageId, Is.EqualTo("mdn-1@example.net"));

        var forwarded = MimeTest.Message(new Multipart("mixed") { MimeTest.Text("FYI"), new MessagePart { Message = mdn } });
        Assert.That(MailReports.TryRead(MimeLoader.LoadMessage(MimeBytes.Canonical(forwarded))), Is.Null);
    }

    [Test]
    public void MultipartReportWithoutAMachineReadablePartIsNoReport()
    {
        var message = MimeLoader.LoadMessage(MimeCorpus.Crlf("""
            Content-Type: multipart/report; report-type=delivery-status; boundary=b

            --b
            Content-Type: text/plain

            Your message bounced.
            --b--
            """));
        Assert.That(MailReports.TryRead(message), Is.Null);
        Assert.That(MailReports.TryRead(MimeTest.Message()), Is.Null);
    }

    [TestCase("5.1.1", DeliveryAction.Failed)]
    [TestCase(" 4.4.7 (delivery time expired)", DeliveryAction.Delayed)]
    [TestCase("(comment first) 2.0.0", DeliveryAction.Delivered)]
    [TestCase("550 5.1.10 user unknown", DeliveryAction.Failed)]
    [TestCase("5.999.999", DeliveryAction.Failed)]
    [TestCase("", DeliveryAction.Unknown)]
    [TestCase("550", DeliveryAction.Unknown)]
    [TestCase("3.1.1", DeliveryAction.Unknown)]
    [TestCase("5.x.1", DeliveryAction.Unknown)]
    [TestCase("five", DeliveryAction.Unknown)]
    public void ActionInferredFromTheStatusWhenAbsent(string status, DeliveryAction expected)
    {
        var recipient = Read(Bounce($"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; b@example.net\nStatus: {status}\n")).Recipients.Single();
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Unknown));
        Assert.That(recipient.EffectiveAction, Is.EqualTo(expected));
    }

    [TestCase("rfc822;a@b.org", "a@b.org")]
    [TestCase(" RFC822 ; <a@b.org> ", "a@b.org")]
    [TestCase("rfc822; \"x;y (z)\"@b.org (comment)", "\"x;y (z)\"@b.org")]
    [TestCase("a@b.org", "a@b.org")]
    public void RecipientAddresses(string field, string expected) =>
        Assert.That(Read(Bounce($"Reporting-MTA: dns; mx\n\nFinal-Recipient: {field}\nAction: failed\n")).Recipients.Single().FinalRecipient, Is.EqualTo(expected));

    [TestCase("smtp; 550 5.1.1 user (unknown)", "550 5.1.1 user (unknown)")]
    [TestCase("x-local; 500 (err.nosuchuser)", "500 (err.nosuchuser)")]
    [TestCase("550 no type at all", "550 no type at all")]
    public void DiagnosticCodesAreTextKeptAsWritten(string field, string expected) =>
        Assert.That(Read(Bounce($"Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b.org\nDiagnostic-Code: {field}\n")).Recipients.Single().DiagnosticCode, Is.EqualTo(expected));
}
