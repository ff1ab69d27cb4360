using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Mail.Mime;
using MiSS.Mail.Reports;
using MiSS.Mail.Tests.Mime;

namespace MiSS.Mail.Tests.Reports;

/// <summary>Disposition notifications: parsing the Disposition field, building read receipts, and reading them back.</summary>
public class DispositionNotificationTests
{
    private const string FrenchText = "Bonjour,\nle message « Compte rendu » envoyé le 2 mai a été affiché par le destinataire.\nCeci ne garantit pas qu'il a été lu ou compris.";

    private static MimeMessage Wrap(Multipart report) => new(report)
    {
        From = [new MailboxAddress("b@example.net")],
        To = [new MailboxAddress("a@example.org")],
        Subject = "Accusé de lecture",
    };

    private static (DispositionNotification Report, byte[] Wire) RoundTrip(Multipart report)
    {
        var wire = MimeWriter.ToBytes(Wrap(report));
        var read = MailReports.TryRead(MimeReader.ReadMessage(wire));
        Assert.That(read, Is.TypeOf<DispositionNotification>());
        return ((DispositionNotification)read!, wire);
    }

    [Test]
    public void ReadReceiptOnTheWireAndBack()
    {
        var original = new MimeMessage(MimePart.CreateText("Voir pièce jointe.")) { MessageId = "20240502.x1@miss.example.fr", Subject = "Compte rendu" };
        original.Headers.Add("From", "Dr A <a@example.org>");
        var (report, wire) = RoundTrip(DispositionNotificationBuilder.Build(
            FrenchText,
            "poste-12.hopital.example.fr; MiSS 1.0",
            "b@example.net",
            "<20240502.x1@miss.example.fr>",
            new Disposition(DispositionType.Displayed),
            originalRecipient: "b@example.net",
            originalHeaders: original.Headers));

        var text = Encoding.UTF8.GetString(wire);
        Assert.That(text, Does.Contain("Content-Type: multipart/report; boundary=").And.Contain(" report-type=disposition-notification\r\n"));
        Assert.That(text, Does.Contain("""
            Content-Type: message/disposition-notification

            Reporting-UA: poste-12.hopital.example.fr; MiSS 1.0
            Original-Recipient: rfc822;b@example.net
            Final-Recipient: rfc822;b@example.net
            Original-Message-ID: <20240502.x1@miss.example.fr>
            Disposition: manual-action/MDN-sent-manually; displayed
            """.ReplaceLineEndings("\r\n")));
        Assert.That(text, Does.Contain("Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <20240502.x1@miss.example.fr>\r\nSubject: Compte rendu\r\nFrom: Dr A <a@example.org>\r\n"));

        Assert.That(report.ReportType, Is.EqualTo("disposition-notification"));
        Assert.That(report.IsGlobal, Is.False);
        Assert.That(report.HumanReadableText, Is.EqualTo(FrenchText.ReplaceLineEndings("\r\n")));
        Assert.That(report.ReportingUa, Is.EqualTo("poste-12.hopital.example.fr; MiSS 1.0"));
        Assert.That(report.OriginalRecipient, Is.EqualTo(new TypedValue("rfc822", "b@example.net")));
        Assert.That(report.FinalRecipient, Is.EqualTo(new TypedValue("rfc822", "b@example.net")));
        Assert.That(report.OriginalMessageId, Is.EqualTo("20240502.x1@miss.example.fr"));
        Assert.That(report.Disposition!.ToString(), Is.EqualTo("manual-action/MDN-sent-manually; displayed"));
        Assert.That(report.ReturnedMessageId, Is.EqualTo("20240502.x1@miss.example.fr"));
        Assert.That(report.ReturnedHeaders!["Subject"], Is.EqualTo("Compte rendu"));
    }

    [Test]
    public void AutomaticDispositionWithErrorAndNoOptionalParts()
    {
        var (report, wire) = RoundTrip(DispositionNotificationBuilder.Build(
            "Erreur.",
            "mx.example.net",
            "b@example.net",
            "id-1@example.org",
            new Disposition(DispositionType.Processed, DispositionActionMode.Automatic, DispositionSendingMode.SentAutomatically, ["error"]),
            errors: ["Le message n'a pas pu être déchiffré"]));
        Assert.That(Encoding.UTF8.GetString(wire), Does.Contain("Disposition: automatic-action/MDN-sent-automatically; processed/error\r\n"));
        Assert.That(report.IsGlobal, Is.True, "a non-ASCII error text makes it message/global-disposition-notification");
        Assert.That(report.Disposition!.Type, Is.EqualTo(DispositionType.Processed));
        Assert.That(report.Disposition.ActionMode, Is.EqualTo(DispositionActionMode.Automatic));
        Assert.That(report.Disposition.SendingMode, Is.EqualTo(DispositionSendingMode.SentAutomatically));
        Assert.That(report.Disposition.HasError, Is.True);
        Assert.That(report.Errors, Is.EqualTo(new[] { "Le message n'a pas pu être déchiffré" }));
        Assert.That(report.OriginalRecipient, Is.Null);
        Assert.That(report.ReturnedHeaders, Is.Null);
    }

    [Test]
    public void NonAsciiAddressesBecomeUtf8AddressesOfAGlobalNotification()
    {
        var (report, wire) = RoundTrip(DispositionNotificationBuilder.Build(
            "Lu.", "ua", "élodie+a=b@hôpital.fr", "x@y", new Disposition(DispositionType.Displayed), originalRecipient: "élodie@hôpital.fr"));
        Assert.That(Encoding.UTF8.GetString(wire), Does.Contain("Content-Type: message/global-disposition-notification\r\nContent-Transfer-Encoding: 8bit\r\n")
            .And.Contain("Final-Recipient: utf-8;élodie\\x{2B}a\\x{3D}b@hôpital.fr\r\n"));
        Assert.That(report.IsGlobal, Is.True);
        Assert.That(report.FinalRecipient, Is.EqualTo(new TypedValue("utf-8", "élodie+a=b@hôpital.fr")));
        Assert.That(report.OriginalRecipient, Is.EqualTo(new TypedValue("utf-8", "élodie@hôpital.fr")));
    }

    [Test]
    public void BareNotificationWithoutMultipart()
    {
        var part = new MimePart("message", "disposition-notification")
        {
            Content = Encoding.ASCII.GetBytes("Reporting-UA: ua\r\nFinal-Recipient: rfc822; b@example.net\r\nOriginal-Message-ID: <m@x>\r\nDisposition: automatic-action/MDN-sent-automatically; deleted\r\nError: one\r\nFailure: two\r\n"),
        };
        var report = MailReports.TryReadDispositionNotification(new MimeMessage(part));
        Assert.That(report, Is.Not.Null);
        Assert.That(report!.Disposition!.Type, Is.EqualTo(DispositionType.Deleted));
        Assert.That(report.Errors, Is.EqualTo(new[] { "one", "two" }));
        Assert.That((report.ReportType, report.HumanReadableText, report.ReturnedHeaders), Is.EqualTo((null as string, null as string, null as HeaderList)));
    }

    [TestCase("manual-action/MDN-sent-manually; displayed", DispositionActionMode.Manual, DispositionSendingMode.SentManually, DispositionType.Displayed, "")]
    [TestCase("automatic-action/MDN-sent-automatically; deleted/error", DispositionActionMode.Automatic, DispositionSendingMode.SentAutomatically, DispositionType.Deleted, "error")]
    [TestCase("  Manual-Action / MDN-Sent-Automatically ;Dispatched / Error , Warning ", DispositionActionMode.Manual, DispositionSendingMode.SentAutomatically, DispositionType.Dispatched, "error,warning")]
    [TestCase("(user) manual-action/MDN-sent-manually (asked); processed (done)", DispositionActionMode.Manual, DispositionSendingMode.SentManually, DispositionType.Processed, "")]
    [TestCase("manual-action/MDN-sent-manually; denied", DispositionActionMode.Manual, DispositionSendingMode.SentManually, DispositionType.Denied, "")]
    [TestCase("automatic-action/MDN-sent-automatically; failed/error", DispositionActionMode.Automatic, DispositionSendingMode.SentAutomatically, DispositionType.Failed, "error")]
    [TestCase("displayed", DispositionActionMode.Unknown, DispositionSendingMode.Unknown, DispositionType.Displayed, "")]
    [TestCase("displayed/error", DispositionActionMode.Unknown, DispositionSendingMode.Unknown, DispositionType.Displayed, "error")]
    [TestCase("automatic-action/MDN-sent-automatically", DispositionActionMode.Automatic, DispositionSendingMode.SentAutomatically, DispositionType.Unknown, "")]
    [TestCase("read; seen", DispositionActionMode.Unknown, DispositionSendingMode.Unknown, DispositionType.Unknown, "")]
    [TestCase("", DispositionActionMode.Unknown, DispositionSendingMode.Unknown, DispositionType.Unknown, "")]
    [TestCase(";;;///,,,", DispositionActionMode.Unknown, DispositionSendingMode.Unknown, DispositionType.Unknown, "")]
    public void ParsingDispositions(string value, DispositionActionMode action, DispositionSendingMode sending, DispositionType type, string modifiers)
    {
        var disposition = Disposition.Parse(value);
        Assert.That((disposition.ActionMode, disposition.SendingMode, disposition.Type), Is.EqualTo((action, sending, type)));
        Assert.That(string.Join(',', disposition.Modifiers), Is.EqualTo(modifiers));
        Assert.That(disposition.Raw, Is.EqualTo(value));
    }

    [Test]
    public void InvalidBuilderInputIsRejected()
    {
        var ok = new Disposition(DispositionType.Displayed);
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua\r\nBcc: x@evil", "b@x.org", "m@x", ok), "line break in a field");
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", " ", "b@x.org", "m@x", ok));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org\r\nX: y", "m@x", ok));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "not an address", "m@x", ok));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "m@x", ok, originalRecipient: "rfc822;b@x.org"));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "<>", ok));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "a b@x", ok));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "m@x", new Disposition(DispositionType.Unknown)));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "m@x", ok with { ActionMode = DispositionActionMode.Unknown }));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "m@x", new Disposition(DispositionType.Displayed, modifiers: ["a,b"])));
            Assert.Throws<ArgumentException>(() => DispositionNotificationBuilder.Build("t", "ua", "b@x.org", "m@x", ok, errors: ["x\ny"]));
        });
    }

    // Generators for the round-trip property: French-looking text, printable field text, plausible addresses and ids.
    private static readonly Gen<char> TextChar = Gen.Frequency(
        (10, Gen.Choose(' ', '~').Select(i => (char)i)),
        (2, Gen.Elements("éèêàçùôœÉ«»’€\t".ToCharArray())),
        (1, Gen.Elements('\n', '\r')));

    private static readonly Gen<string> HumanText = TextChar.ArrayOf().Select(c => new string(c));

    private static readonly Gen<string> FieldText =
        Gen.Frequency((10, Gen.Choose('!', '~').Select(i => (char)i)), (2, Gen.Constant(' ')), (1, Gen.Elements("éà€".ToCharArray())))
            .NonEmptyListOf().Select(c => new string([.. c]).Trim()).Where(s => s.Length > 0);

    private static readonly Gen<string> Address =
        from local in Gen.Elements("b", "jean.dupont", "x+tag", "\"a b\"", "élodie", "o'neil", "a=b")
        from domain in Gen.Elements("example.net", "hôpital.fr", "[192.0.2.1]", "sub.example.org")
        select $"{local}@{domain}";

    private static readonly Gen<string> MessageId =
        from left in Gen.Elements("20240502.x1", "a.b.c", "$%&*+-/=?^_`{|}~", "X")
        from right in Gen.Elements("miss.example.fr", "[1.2.3.4]", "h")
        select $"{left}@{right}";

    private static readonly Gen<Disposition> Dispositions =
        from type in Gen.Elements(DispositionType.Displayed, DispositionType.Deleted, DispositionType.Dispatched, DispositionType.Processed)
        from action in Gen.Elements(DispositionActionMode.Manual, DispositionActionMode.Automatic)
        from sending in Gen.Elements(DispositionSendingMode.SentManually, DispositionSendingMode.SentAutomatically)
        from modifiers in Gen.Elements("error", "x-miss", "warning").ListOf().Resize(2)
        select new Disposition(type, action, sending, [.. modifiers]);

    private static readonly Gen<Header> OriginalHeader =
        from name in Gen.Elements("Subject", "From", "X-Note", "Message-ID")
        from value in FieldText
        select new Header(name, name == "From" ? "a@example.org" : value);

    [FsCheck.NUnit.Property(MaxTest = 150)]
    public Property BuildWriteReadGivesTheSameValues()
    {
        var inputs =
            from text in HumanText
            from ua in FieldText
            from final in Address
            from original in Gen.Frequency((1, Gen.Constant<string?>(null)), (2, Address.Select(a => (string?)a)))
            from id in MessageId
            from disposition in Dispositions
            from headers in OriginalHeader.ListOf().Resize(3)
            from errors in FieldText.ListOf().Resize(2)
            select (text, ua, final, original, id, disposition, headers, errors);
        return Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            var (text, ua, final, original, id, disposition, headers, errors) = input;
            var built = DispositionNotificationBuilder.Build(text, ua, final, id, disposition, original, headers, errors);
            var (report, _) = RoundTrip(built);
            Assert.That(report.HumanReadableText, Is.EqualTo(CrlfLines(text)));
            Assert.That(report.ReportingUa, Is.EqualTo(ua));
            Assert.That(report.FinalRecipient!.Value, Is.EqualTo(final));
            Assert.That(report.FinalRecipient.Type, Is.EqualTo(Ascii.IsValid(final) ? "rfc822" : "utf-8"));
            Assert.That(report.OriginalRecipient?.Value, Is.EqualTo(original));
            Assert.That(report.OriginalMessageId, Is.EqualTo(id));
            Assert.That(report.Disposition!.ToString(), Is.EqualTo(disposition.ToString()));
            Assert.That(report.Disposition.Modifiers, Is.EqualTo(disposition.Modifiers));
            Assert.That(report.Errors, Is.EqualTo(errors));
            Assert.That(report.IsGlobal, Is.EqualTo(!Ascii.IsValid(ua + final + original + string.Concat(errors))));
            Assert.That(report.ReturnedHeaders?.Select(h => (h.Name, h.DecodedValue)), Is.EqualTo(headers.Count == 0 ? null : headers.Select(h => (h.Name, h.Value))));
            Assert.That(report.ReturnedMessageId, Is.EqualTo(headers.FirstOrDefault(h => h.Name == "Message-ID") is { } m ? MimeMessage.MessageIds(m.Value).FirstOrDefault() : null));
        });
    }

    // MimePart.CreateText makes every CR, LF and CRLF a CRLF.
    private static string CrlfLines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal);

    [Test]
    public void TheSameNotificationIsWrittenTheSameWay()
    {
        var built = DispositionNotificationBuilder.Build(FrenchText, "ua", "b@example.net", "m@x", new Disposition(DispositionType.Displayed));
        var once = MimeWriter.ToBytes(Wrap(built));
        var again = MimeWriter.ToBytes(MimeReader.ReadMessage(once));
        Assert.That(again, Is.EqualTo(once));
        RoundTripTests.AssertCanonical(once);
    }

    [Test]
    public void UnknownDispositionFormatsAsRead() =>
        Assert.That(Disposition.Parse("manual-action/x; displayed").ToString(), Is.EqualTo("manual-action/x; displayed"));

    [Test]
    public void MessageIdOfTheOriginalMayComeWithBrackets() =>
        Assert.That(MimeTestUtil.Ascii(((MimePart)DispositionNotificationBuilder.Build("t", "ua", "b@x.org", " <m@x> ", new Disposition(DispositionType.Displayed)).Parts[1]).Content),
            Does.Contain("Original-Message-ID: <m@x>\r\n"));
}
