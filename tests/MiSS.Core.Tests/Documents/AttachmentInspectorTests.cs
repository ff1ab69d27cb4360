using MiSS.Core.Documents;
using MiSS.Core.Secure;
using MiSS.Core.Tests.Secure;
using MimeKit;
using MimeKit.Utils;
using MiSS.Core.Messaging;

namespace MiSS.Core.Tests.Documents;

public class AttachmentInspectorTests
{
    static readonly TransportProfile Small = new("Test", maxMessageBytes: 100_000, maxAttachmentBytes: 100, maxAttachments: 2);

    static AttachmentRefusedException Refused(byte[] content, string? name, string? mediaType, TransportProfile? profile = null) =>
        Assert.Throws<AttachmentRefusedException>(() => AttachmentInspector.Inspect(content, name, mediaType, profile ?? TransportProfile.MSSante))!;

    [Test]
    public void A_pdf_named_and_typed_as_a_pdf_is_accepted_under_its_name()
    {
        var content = SampleFiles.Pdf();

        var inspected = AttachmentInspector.Inspect(content, "Résultats bilan.pdf", "application/pdf", TransportProfile.MSSante);

        Assert.That(inspected, Is.EqualTo(new InspectedAttachment("application/pdf", "pdf", "Résultats bilan.pdf", content.Length)));
    }

    [Test]
    public void A_pdf_declared_as_an_executable_is_refused_as_an_executable()
    {
        var elf = Refused(SampleFiles.Elf(), "resultats.pdf", "application/pdf");
        var pe = Refused(SampleFiles.Pe(), "compte-rendu.pdf", null);

        Assert.That(elf.Reason, Is.EqualTo(AttachmentRefusalReason.Executable));
        Assert.That(elf.Message, Does.Contain("« resultats.pdf »").And.Contain("programme"));
        Assert.That(pe.Reason, Is.EqualTo(AttachmentRefusalReason.Executable));
        Assert.That(pe.Message, Does.Contain("Windows"));
    }

    [Test]
    public void An_html_file_named_pdf_is_refused_as_a_script()
    {
        var refused = Refused(SampleFiles.Html(), "ordonnance.pdf", "application/pdf");

        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.Script));
        Assert.That(refused.Message, Does.Contain("HTML"));
    }

    [Test]
    public void An_svg_with_a_script_is_refused_as_a_script()
    {
        var refused = Refused(SampleFiles.SvgWithScript(), "schema.svg", "image/svg+xml");

        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.Script));
        Assert.That(refused.Message, Does.Contain("SVG"));
    }

    [Test]
    public void An_empty_file_is_refused()
    {
        var refused = Refused([], "vide.pdf", "application/pdf");

        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.Empty));
        Assert.That(refused.Message, Is.EqualTo("La pièce jointe « vide.pdf » est vide."));
    }

    [Test]
    public void A_png_named_pdf_is_refused_as_a_type_mismatch()
    {
        var refused = Refused(SampleFiles.Png(), "scanner.pdf", null);

        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.TypeMismatch));
        Assert.That(refused.Message, Does.Contain("un document PDF").And.Contain("une image PNG"));
    }

    [Test]
    public void A_png_declared_as_application_pdf_is_refused_as_a_type_mismatch()
    {
        Assert.That(Refused(SampleFiles.Png(), null, "application/pdf").Reason, Is.EqualTo(AttachmentRefusalReason.TypeMismatch));
    }

    [Test]
    public void A_pdf_named_exe_is_a_mismatch_and_a_text_named_bat_is_a_script()
    {
        Assert.That(Refused(SampleFiles.Pdf(), "rapport.pdf.exe", "application/pdf").Reason, Is.EqualTo(AttachmentRefusalReason.TypeMismatch));
        Assert.That(Refused(SampleFiles.Text("@echo off\r\ndel /q *\r\n"), "lancer.bat", "text/plain").Reason, Is.EqualTo(AttachmentRefusalReason.Script));
    }

    [Test]
    public void A_right_to_left_override_cannot_disguise_an_extension_and_never_reaches_the_message()
    {
        // Shown as "rapportexe.pdf" by a bidi-aware display; really ends with ".exe".
        var refused = Refused(SampleFiles.Pdf(), "rapport\u202Efdp.exe", "application/pdf");

        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.TypeMismatch));
        Assert.That(refused.Message.Contains('\u202E', StringComparison.Ordinal), Is.False);
        Assert.That(refused.FileName, Is.EqualTo("rapportfdp.exe"));
    }

    [Test]
    public void A_generic_media_type_or_an_unknown_extension_claims_nothing()
    {
        var scan = AttachmentInspector.Inspect(SampleFiles.Png(), "scan", "application/octet-stream", TransportProfile.MSSante);
        var versioned = AttachmentInspector.Inspect(SampleFiles.Pdf(), "compte-rendu.v2", null, TransportProfile.MSSante);
        var alias = AttachmentInspector.Inspect(SampleFiles.Jpeg(), "photo.JPEG", "image/jpg", TransportProfile.MSSante);

        Assert.That(scan.SafeFileName, Is.EqualTo("scan.png"));
        Assert.That(versioned.SafeFileName, Is.EqualTo("compte-rendu.v2.pdf"));
        Assert.That(alias, Is.EqualTo(new InspectedAttachment("image/jpeg", "jpg", "photo.jpg", SampleFiles.Jpeg().Length)));
    }

    [Test]
    public void Archives_compound_documents_and_unknown_content_are_refused_with_their_reason()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Refused(SampleFiles.Zip(), "IHE_XDM.ZIP", "application/zip").Reason, Is.EqualTo(AttachmentRefusalReason.Archive));
            Assert.That(Refused(SampleFiles.OleCompound(), "courrier.doc", "application/msword").Reason, Is.EqualTo(AttachmentRefusalReason.UnsupportedDocument));
            Assert.That(Refused(SampleFiles.OleCompound(), "setup.msi", null).Message, Does.Contain("MSI"));
            Assert.That(Refused(SampleFiles.Noise(300), "donnees.bin", null).Reason, Is.EqualTo(AttachmentRefusalReason.UnknownType));
            Assert.That(Refused(SampleFiles.Noise(300), "donnees.bin", null).Message, Does.StartWith("Le format de la pièce jointe « donnees.bin » n'est pas reconnu"));
        });
    }

    [Test]
    public void The_per_attachment_limit_is_the_profiles()
    {
        var atLimit = SampleFiles.Pdf().Concat(new byte[100]).Take(100).ToArray();
        var over = SampleFiles.Pdf().Concat(new byte[101]).Take(101).ToArray();

        Assert.That(AttachmentInspector.Inspect(atLimit, "a.pdf", null, Small).Size, Is.EqualTo(100));
        var refused = Refused(over, "a.pdf", null, Small);
        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.TooLarge));
        Assert.That(refused.Message, Does.Contain("sur Test"));
    }

    [Test]
    public void Apicrypt_refuses_an_attachment_that_MSSante_accepts()
    {
        var eightMiB = new byte[8 * 1024 * 1024];
        SampleFiles.Pdf().CopyTo(eightMiB, 0);

        Assert.That(AttachmentInspector.Inspect(eightMiB, "irm.pdf", null, TransportProfile.MSSante).Size, Is.EqualTo(eightMiB.Length));
        var refused = Refused(eightMiB, "irm.pdf", null, TransportProfile.Apicrypt);
        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.TooLarge));
        Assert.That(refused.Message, Does.Contain("(8 Mo)").And.Contain("7,5 Mo").And.Contain("Apicrypt"));
    }

    [Test]
    public void The_default_profiles_state_their_figures()
    {
        Assert.That(TransportProfile.MSSante.MaxMessageBytes, Is.EqualTo(20 * 1024 * 1024));
        Assert.That(TransportProfile.MSSante.MaxAttachmentBytes, Is.EqualTo(15 * 1024 * 1024));
        Assert.That(TransportProfile.MSSante.MaxAttachments, Is.EqualTo(10));
        Assert.That(TransportProfile.Apicrypt.MaxMessageBytes, Is.EqualTo(10 * 1024 * 1024));
        Assert.That((TransportProfile.MSSante with { MaxMessageBytes = 30 * 1024 * 1024 }).MaxMessageBytes, Is.EqualTo(30 * 1024 * 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = TransportProfile.MSSante with { MaxAttachments = 0 });
        Assert.Throws<ArgumentException>(() => _ = new TransportProfile("X", 10, 20, 1));
    }

    [Test]
    public void A_message_with_too_many_attachments_is_refused()
    {
        var one = new InspectedAttachment("application/pdf", "pdf", "a.pdf", 10);

        Assert.DoesNotThrow(() => AttachmentInspector.CheckMessage([one, one], Small));
        var refused = Assert.Throws<AttachmentRefusedException>(() => AttachmentInspector.CheckMessage([one, one, one], Small))!;
        Assert.That(refused.Reason, Is.EqualTo(AttachmentRefusalReason.TooManyAttachments));
        Assert.That(refused.Message, Does.Contain("3").And.Contain("maximum de 2"));
    }

    [Test]
    public void A_message_that_would_exceed_the_limit_once_sealed_is_refused()
    {
        static InspectedAttachment Of(int mib) => new("application/pdf", "pdf", "a.pdf", mib * 1024L * 1024);

        // Two base64 layers: 6 MiB of attachments make about 11.3 MiB sealed; 12 MiB make about 22.5 MiB.
        Assert.DoesNotThrow(() => AttachmentInspector.CheckMessage([Of(6)], TransportProfile.MSSante));
        Assert.That(Assert.Throws<AttachmentRefusedException>(() => AttachmentInspector.CheckMessage([Of(6), Of(6)], TransportProfile.MSSante))!.Reason,
            Is.EqualTo(AttachmentRefusalReason.MessageTooLarge));
        Assert.That(Assert.Throws<AttachmentRefusedException>(() => AttachmentInspector.CheckMessage([Of(6)], TransportProfile.Apicrypt))!.Reason,
            Is.EqualTo(AttachmentRefusalReason.MessageTooLarge));
    }

    [Test]
    public void Base64_lengths_count_line_breaks()
    {
        Assert.That(AttachmentInspector.Base64MimeLength(0), Is.Zero);
        Assert.That(AttachmentInspector.Base64MimeLength(1), Is.EqualTo(4 + 2));
        Assert.That(AttachmentInspector.Base64MimeLength(57), Is.EqualTo(76 + 2));
        Assert.That(AttachmentInspector.Base64MimeLength(58), Is.EqualTo(76 + 2 + 4 + 2));
    }

    [Test]
    public void The_sealed_size_estimate_bounds_a_real_sealed_message_closely()
    {
        var sizes = new[] { 700_000, 1_300_000 };
        var body = new Multipart("mixed");
        body.Add(MimeTest.Text("Bonjour, voici les résultats."));
        foreach (var size in sizes)
        {
            var content = new byte[size];
            new Random(size).NextBytes(content);
            body.Add(MimeTest.Attachment("application/pdf", content, $"doc{size}.pdf"));
        }
        var seal = new SmimeSeal(TestPki.Trust(), TimeProvider.System);
        var sealedBody = seal.SignAndEncrypt(body, SmimeFixtures.Certificate(TestPki.Claire), [SmimeFixtures.Certificate(TestPki.Julien)]);
        var actual = MimeBytes.Canonical(SmimeFixtures.Envelope(TestPki.Claire.Address, sealedBody)).Length;

        var estimate = AttachmentInspector.EstimateSealedMessageBytes(sizes.Select(s => (long)s), 40);

        Assert.That(estimate, Is.GreaterThanOrEqualTo(actual), "the estimate must not under-count");
        Assert.That(estimate, Is.LessThan(actual * 1.03), "nor over-count by more than 3 %");
    }
}
