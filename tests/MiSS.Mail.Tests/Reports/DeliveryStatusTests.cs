using System.Text;
using MiSS.Mail.Mime;
using MiSS.Mail.Reports;
using MiSS.Mail.Tests.Mime;

namespace MiSS.Mail.Tests.Reports;

/// <summary>Delivery status notifications written for the test: every field of RFC 3464, and the usual breakage.</summary>
public class DeliveryStatusTests
{
    /// <summary>A bounce with the given delivery-status body (and optional extra header lines for that part).</summary>
    internal static MimeMessage Bounce(string statusBody, string partHeaders = "Content-Type: message/delivery-status\n", string returned = "") =>
        MimeReader.ReadMessage(MimeTestUtil.Crlf($"""
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

    private static DeliveryStatusReport Read(MimeMessage message)
    {
        var report = MailReports.TryRead(message);
        Assert.That(report, Is.TypeOf<DeliveryStatusReport>());
        return (DeliveryStatusReport)report!;
    }

    [Test]
    public void EveryFieldOfRfc3464WithFoldingCommentsAndExtensions()
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
            DSN-Gateway: dns; gw.example.org
            Received-From-MTA: dns; relay.example.fr [192.0.2.1]
            Arrival-Date: Wed, 1 May 2024 10:00:00 +0200
            X-Postfix-Queue-ID: 4Vxyz

            Original-Recipient: rfc822;b@example.net
            Final-Recipient: RFC822; <b@example.net> (the mailbox)
            Action: FAILED (permanent)
            Status: 5.1.1 (bad destination mailbox address)
            Remote-MTA: dns; mx.example.net
            Diagnostic-Code: smtp; 550 5.1.1 <b@example.net>:
              Recipient address rejected; User unknown
            Last-Attempt-Date: Wed, 1 May 2024 10:00:05 +0200
            Final-Log-ID: 4Vxyz-1
            X-Extension: kept

            Final-Recipient: rfc822; c@example.net
            Action: delayed
            Status: 4.4.7
            Will-Retry-Until: Sat, 4 May 2024 10:00:00 +0200
            """, returned: returned));

        Assert.That(report.OriginalEnvelopeId, Is.EqualTo("QQ314159"));
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue("dns", "mx.example.org")), "comment removed from an MTA name");
        Assert.That(report.DsnGateway, Is.EqualTo(new TypedValue("dns", "gw.example.org")));
        Assert.That(report.ReceivedFromMta, Is.EqualTo(new TypedValue("dns", "relay.example.fr [192.0.2.1]")));
        Assert.That(report.ArrivalDate, Is.EqualTo(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(2))));
        Assert.That(report.MessageFields.Select(f => f.Name).Last(), Is.EqualTo("X-Postfix-Queue-ID"));
        Assert.That(report.HumanReadableText, Is.EqualTo("Votre message n'a pas pu être remis."));
        Assert.That(report.Recipients, Has.Count.EqualTo(2));

        var failed = report.Recipients[0];
        Assert.That(failed.OriginalRecipient, Is.EqualTo(new TypedValue("rfc822", "b@example.net")));
        Assert.That(failed.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "b@example.net")), "type lowercased, brackets and comment removed");
        Assert.That(failed.Action, Is.EqualTo(DeliveryAction.Failed));
        Assert.That(failed.RawAction, Is.EqualTo("FAILED (permanent)"));
        Assert.That(failed.Status, Is.EqualTo(new EnhancedStatusCode(5, 1, 1)));
        Assert.That(failed.Status.ToString(), Is.EqualTo("5.1.1"));
        Assert.That(failed.RemoteMta, Is.EqualTo(new TypedValue("dns", "mx.example.net")));
        Assert.That(failed.DiagnosticCode, Is.EqualTo(new TypedValue("smtp", "550 5.1.1 <b@example.net>:  Recipient address rejected; User unknown")));
        Assert.That(failed.LastAttemptDate, Is.EqualTo(new DateTimeOffset(2024, 5, 1, 10, 0, 5, TimeSpan.FromHours(2))));
        Assert.That(failed.FinalLogId, Is.EqualTo("4Vxyz-1"));
        Assert.That(failed.Fields.Single(f => f.Name == "X-Extension").Value, Is.EqualTo("kept"));

        var delayed = report.Recipients[1];
        Assert.That(delayed.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "c@example.net")));
        Assert.That(delayed.Action, Is.EqualTo(DeliveryAction.Delayed));
        Assert.That(delayed.Status!.Value.IsTransientFailure, Is.True);
        Assert.That(delayed.WillRetryUntil, Is.EqualTo(new DateTimeOffset(2024, 5, 4, 10, 0, 0, TimeSpan.FromHours(2))));

        Assert.That(report.ReturnedMessage, Is.Null, "only the headers were returned");
        Assert.That(report.ReturnedMessageId, Is.EqualTo("20240501.abc@miss.example.fr"));
        Assert.That(report.ReturnedHeaders!["Subject"], Is.EqualTo("Compte rendu (suite)"));
    }

    [Test]
    public void WithoutAnyBlankLineFieldsAreAssignedByName()
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
        Assert.That(report.ReportingMta!.Value, Is.EqualTo("mx.example.org"));
        Assert.That(report.Recipients.Select(r => (r.FinalRecipient!.Value, r.Action, r.Status.ToString())),
            Is.EqualTo(new[] { ("b@example.net", DeliveryAction.Failed, "5.2.2"), ("c@example.net", DeliveryAction.Delivered, "2.0.0") }));
    }

    // No blank line after Content-Type: the MIME reader takes the per-message group (or all fields, when no blank
    // line follows either) for header fields of the part.
    [TestCase("\n")]
    [TestCase("")]
    public void FieldsInThePartHeaderBlock(string blankLineAfterPerMessageGroup)
    {
        var message = Bounce(
            "Final-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.1.1\n",
            partHeaders: "Content-Type: message/delivery-status\nReporting-MTA: dns; mx.example.org\nArrival-Date: Wed, 1 May 2024 10:00:00 +0200" + blankLineAfterPerMessageGroup);
        var headers = ((Multipart)message.Body).Parts[1].Headers;
        Assert.That(headers.Contains("Reporting-MTA"), Is.True, "premise");
        Assert.That(headers.Contains("Final-Recipient"), Is.EqualTo(blankLineAfterPerMessageGroup.Length == 0), "premise");
        var report = Read(message);
        Assert.That(report.ReportingMta, Is.EqualTo(new TypedValue("dns", "mx.example.org")));
        Assert.That(report.ArrivalDate, Is.Not.Null);
        Assert.That(report.Recipients.Single().FinalRecipient!.Value, Is.EqualTo("b@example.net"));
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
        Assert.That(report.Recipients.Select(r => r.FinalRecipient!.Value), Is.EqualTo(new[] { "b@example.net", "c@example.net" }));
        Assert.That(report.Recipients[0].Status, Is.EqualTo(new EnhancedStatusCode(5, 1, 1)));
        Assert.That(report.Recipients[0].Action, Is.EqualTo(DeliveryAction.Failed));
    }

    [Test]
    public void UnindentedContinuationAndBareLfAndStrayText()
    {
        var report = Read(Bounce("Reporting-MTA: dns; mx.example.org\n\nthis line is no field\nFinal-Recipient: rfc822; b@example.net\nDiagnostic-Code: smtp; 550 first half\nsecond half\nAction: failed\n"));
        var recipient = report.Recipients.Single();
        Assert.That(recipient.DiagnosticCode!.Value, Is.EqualTo("550 first half second half"));
        Assert.That(recipient.Action, Is.EqualTo(DeliveryAction.Failed));
    }

    [Test]
    public void Base64EncodedStatusPartIsDecoded()
    {
        var body = Base64Codec.EncodeToString(Encoding.ASCII.GetBytes("Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; b@example.net\r\nAction: failed\r\nStatus: 5.7.1\r\n"));
        var report = Read(Bounce(body + "\n", partHeaders: "Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n"));
        Assert.That(report.Recipients.Single().Status, Is.EqualTo(new EnhancedStatusCode(5, 7, 1)));
    }

    [Test]
    public void GlobalDeliveryStatusWithUtf8Addresses()
    {
        var report = Read(Bounce(
            "Reporting-MTA: dns; mx.exemple.fr\n\nOriginal-Recipient: utf-8; jos\\x{E9}+tag\\x{2B}x@h\\x{F4}pital.fr\nFinal-Recipient: utf-8; josé@hôpital.fr\nAction: delivered\nStatus: 2.0.0\n",
            partHeaders: "Content-Type: message/global-delivery-status\nContent-Transfer-Encoding: 8bit\n"));
        Assert.That(report.IsGlobal, Is.True);
        var recipient = report.Recipients.Single();
        Assert.That(recipient.FinalRecipient, Is.EqualTo(new TypedValue("utf-8", "josé@hôpital.fr")));
        Assert.That(recipient.OriginalRecipient, Is.EqualTo(new TypedValue("utf-8", "josé+tag+x@hôpital.fr")), "\\x{...} escapes decoded");
        Assert.That(recipient.EffectiveAction, Is.EqualTo(DeliveryAction.Delivered));
    }

    [Test]
    public void ReportNestedInMultipartMixedAndSigned()
    {
        var bounce = Bounce("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; b@example.net\nAction: failed\n");
        var signed = new Multipart("signed") { Parts = { bounce.Body, new MimePart("application", "pkcs7-signature") { Content = new byte[] { 1, 2, 3 } } } };
        var wrapped = new MimeMessage(new Multipart("mixed") { Parts = { MimePart.CreateText("Scanned by AV"), signed, MimePart.CreateText("footer") } });
        var report = MailReports.TryReadDeliveryStatus(MimeReader.ReadMessage(MimeWriter.ToBytes(wrapped)));
        Assert.That(report, Is.Not.Null);
        Assert.That(report!.ReportType, Is.EqualTo("delivery-status"));
        Assert.That(report.Recipients.Single().FinalRecipient!.Value, Is.EqualTo("b@example.net"));
        Assert.That(report.HumanReadableText, Is.EqualTo("Votre message n'a pas pu être remis."));
        Assert.That(MailReports.TryReadDispositionNotification(wrapped), Is.Null);
    }

    [Test]
    public void ABounceOfAReadReceiptIsTheBounceAndAnAttachedReportIsNotSearched()
    {
        var mdn = new MimeMessage(DispositionNotificationBuilder.Build(
            "Lu.", "ua.example.org; MiSS", "b@example.net", "orig@example.org", new Disposition(DispositionType.Displayed)));
        mdn.MessageId = "mdn-1@example.net";
        var returned = "\nContent-Type: message/rfc822\n\n" + Encoding.UTF8.GetString(MimeWriter.ToBytes(mdn));
        var bounce = Read(Bounce("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n", returned: returned));
        Assert.That(bounce.Recipients.Single().FinalRecipient!.Value, Is.EqualTo("a@example.org"));
        Assert.That(bounce.ReturnedMessageId, Is.EqualTo("mdn-1@example.net"));
        Assert.That(MailReports.TryRead(bounce.ReturnedMessage!), Is.TypeOf<DispositionNotification>(), "the returned message is itself readable");

        var forwarded = new MimeMessage(new Multipart { Parts = { MimePart.CreateText("FYI"), new MessagePart(mdn) } });
        Assert.That(MailReports.TryRead(forwarded), Is.Null);
    }

    [Test]
    public void MultipartReportWithoutAMachineReadablePartIsNoReport()
    {
        var message = MimeReader.ReadMessage(MimeTestUtil.Crlf("""
            Content-Type: multipart/report; report-type=delivery-status; boundary=b

            --b
            Content-Type: text/plain

            Your message bounced.
            --b--
            """));
        Assert.That(MailReports.TryRead(message), Is.Null);
        Assert.That(MailReports.TryRead(new MimeMessage()), Is.Null);
    }

    [TestCase("5.1.1", 5, 1, 1)]
    [TestCase(" 4.4.7 (delivery time expired)", 4, 4, 7)]
    [TestCase("(comment first) 2.0.0", 2, 0, 0)]
    [TestCase("550 5.1.10 user unknown", 5, 1, 10)]
    [TestCase("5.999.999", 5, 999, 999)]
    public void StatusCodes(string value, int @class, int subject, int detail) =>
        Assert.That(EnhancedStatusCode.Parse(value), Is.EqualTo(new EnhancedStatusCode(@class, subject, detail)));

    [TestCase("")]
    [TestCase("550")]
    [TestCase("3.1.1")]
    [TestCase("5.1")]
    [TestCase("5.1.1000")]
    [TestCase("5.x.1")]
    [TestCase("five")]
    public void UnreadableStatusCodes(string value) => Assert.That(EnhancedStatusCode.Parse(value), Is.Null);

    [TestCase("rfc822;a@b.org", "rfc822", "a@b.org")]
    [TestCase(" RFC822 ; <a@b.org> ", "rfc822", "a@b.org")]
    [TestCase("rfc822; \"x;y (z)\"@b.org (comment)", "rfc822", "\"x;y (z)\"@b.org")]
    [TestCase("x400; /C=FR/ADMD=x/", "x400", "/C=FR/ADMD=x/")]
    [TestCase("smtp; 550 5.1.1 user (unknown)", "smtp", "550 5.1.1 user (unknown)")]
    [TestCase("a@b.org", null, "a@b.org")]
    [TestCase("550 not a type; text", null, "550 not a type; text")]
    public void TypedValues(string raw, string? type, string value) =>
        Assert.That(ReportFields.ParseTyped(raw), Is.EqualTo(new TypedValue(type, value)));
}
