using System.Buffers.Binary;
using MiSS.Core.Attachments;
using MiSS.Core.Documents;
using MiSS.Core.Messaging;
using MiSS.Core.Photos;
using MiSS.Core.Tests.Photos;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests;

/// <summary>Photos and documents across the real mail server: stripped before leaving, checked on arrival.</summary>
public class PhotoTransferTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    static readonly AttachmentPolicy Policy = new(PhotoOptions.Default, TransportProfile.MSSante);

    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    [Test]
    public async Task A_camera_photo_leaves_without_metadata_within_budget_and_arrives_identical()
    {
        // A 12 MP phone photo, taken sideways (EXIF orientation 6), with GPS, device data, XMP, IPTC and a comment.
        var camera = SyntheticImages.CameraJpeg(4000, 3000, orientation: 6);
        Assume.That(OutputAssert.Contains(camera, "Exif"), Is.True);
        var prepared = Policy.PrepareOutgoing("IMG_20261122_093012.jpg", camera);

        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        var sent = await claire.Conversations.SendTextAsync(conversation.Id, "Photo de la plaie ce matin", [prepared]);

        var received = await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the photo at Julien's");
        var attachment = (await julien.Store.AttachmentsAsync(received.Id)).Single();
        var bytes = julien.Store.ReadAttachment(attachment);

        Assert.That(received.Signature!.IsVerified, Is.True);
        Assert.That(received.Body, Is.EqualTo("Photo de la plaie ce matin"));
        Assert.That(bytes, Is.EqualTo(prepared.Content), "the photo arrives byte for byte as it left");
        OutputAssert.IsCleanJpeg(bytes); // walks the segments: no EXIF, GPS, XMP, IPTC or comment, no leftover marker
        foreach (var marker in Metadata.Leftovers)
        {
            Assert.That(OutputAssert.Contains(bytes, marker), Is.False, marker);
        }
        Assert.That((attachment.Width, attachment.Height), Is.EqualTo((1536, 2048)), "turned upright and within 2048 px");
        Assert.That(bytes.Length, Is.LessThanOrEqualTo(1_000_000));
        Assert.That(attachment.MediaType, Is.EqualTo("image/jpeg"));
        Assert.That(attachment.FileName, Is.EqualTo("IMG_20261122_093012.jpg"));
        Assert.That(julien.Store.ReadThumbnail(attachment), Is.Not.Null);
    }

    [Test]
    public async Task An_executable_disguised_as_a_pdf_is_refused_on_arrival_with_its_reason()
    {
        // A client that skipped the checks (MiSS itself refuses it on the way out, see the last assertion).
        var elf = new byte[4096];
        "\u007fELF"u8.CopyTo(elf);
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        var sent = await claire.Conversations.SendTextAsync(conversation.Id, "Le compte rendu",
            [new NewAttachment("compte-rendu.pdf", "application/pdf", elf)]);

        var received = await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the message at Julien's");
        var attachment = (await julien.Store.AttachmentsAsync(received.Id)).Single();

        Assert.That(received.Body, Is.EqualTo("Le compte rendu"), "the message itself is kept");
        Assert.That(attachment.IsRefused, Is.True);
        Assert.That(attachment.RefusedReason, Does.Contain("exécutable").IgnoreCase.Or.Contain("programme").IgnoreCase);
        Assert.That(attachment.Blob, Is.Null, "its bytes are not kept");
        var refusal = Assert.Throws<AttachmentRefusedException>(() => Policy.PrepareOutgoing("compte-rendu.pdf", elf));
        Assert.That(refusal!.Reason, Is.EqualTo(AttachmentRefusalReason.Executable));
    }

    [Test]
    public async Task A_decompression_bomb_that_arrives_is_kept_but_never_decoded()
    {
        var bomb = PngHeaderOnly(30_000, 30_000); // 900 megapixels declared, a few dozen bytes
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address);
        var sent = await claire.Conversations.SendTextAsync(conversation.Id, "Image", [new NewAttachment("image.png", "image/png", bomb)]);

        var received = await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the message at Julien's");
        var attachment = (await julien.Store.AttachmentsAsync(received.Id)).Single();

        Assert.That(attachment.IsRefused, Is.False, "a PNG is an accepted type: it is kept");
        Assert.That(julien.Store.ReadAttachment(attachment), Is.EqualTo(bomb));
        Assert.That(attachment.ThumbnailBlob, Is.Null, "no thumbnail: the image was never decoded");
        Assert.That(attachment.Width, Is.Null);
        var refusal = Assert.Throws<PhotoException>(() => Policy.PrepareOutgoing("image.png", bomb));
        Assert.That(refusal!.Error, Is.EqualTo(PhotoError.TooLarge));
        Assert.That(refusal.Message, Does.Contain("mégapixels"));
    }

    [Test]
    public async Task Documents_about_a_patient_travel_as_an_IHE_XDM_archive_that_arrives_whole()
    {
        var patient = new MiSS.Core.Conversations.PatientContext("DURAND", "Léa", "1948-05-12", "248057512345678", "1.2.250.1.213.1.4.10");
        var pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();
        var author = XdmAuthor.FromIdentity(MiSS.Core.Secure.PractitionerIdentity.FromCertificate(MailServerFixture.Pki.LoadPractitioner(Claire)), Claire.Address);
        var archive = Policy.PackXdm([Policy.PrepareOutgoing("bilan biologique.pdf", pdf)], patient, author, DateTimeOffset.Now);
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var conversation = await claire.Conversations.StartDirectAsync(Julien.Address, patient);

        var sent = await claire.Conversations.SendTextAsync(conversation.Id, "Bilan du jour", [archive]);

        var received = await TestWait.ForAsync(() => julien.Store.GetAsync(sent.MessageId), Patience, "the archive at Julien's");
        var attachment = (await julien.Store.AttachmentsAsync(received.Id)).Single();
        Assert.That(attachment.IsRefused, Is.False, attachment.RefusedReason);
        Assert.That(attachment.FileName, Is.EqualTo("IHE_XDM.ZIP"));
        var contents = XdmPackage.Read(julien.Store.ReadAttachment(attachment));
        Assert.That(contents.Documents.Single().Content, Is.EqualTo(pdf));
        Assert.That(contents.SubmissionSets.Single().PatientId, Is.EqualTo("248057512345678^^^&1.2.250.1.213.1.4.10&ISO^NH"));
    }

    /// <summary>A PNG whose header declares huge dimensions, with almost no data behind it.</summary>
    static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 1; // bit depth
        return [.. new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, .. PngStructure.Chunk("IHDR", ihdr),
            .. PngStructure.Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), .. PngStructure.Chunk("IEND", [])];
    }
}
