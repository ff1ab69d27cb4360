using MiSS.Core.Documents;
using MiSS.Core.Messaging;
using MiSS.Core.Photos;

namespace MiSS.Core.Attachments;

/// <summary>
/// The checks every attachment goes through, on the way out and on the way in: its type sniffed from its bytes
/// (executables, scripts, archives refused whatever their name), its name sanitised, its size within the transport
/// profile; photos leaving are re-encoded without any metadata and within the pixel and byte budget; photos arriving are
/// kept as received, with a thumbnail only when their dimensions are reasonable (decompression bombs are never decoded).
/// </summary>
public sealed class AttachmentPolicy(PhotoOptions photos, TransportProfile profile)
{
    /// <summary>The transport profile whose limits apply.</summary>
    public TransportProfile Profile => profile;

    /// <summary>
    /// Prepares a file the practitioner attaches. Throws <see cref="AttachmentRefusedException"/> or
    /// <see cref="PhotoException"/> with a French message when it cannot be sent.
    /// </summary>
    public NewAttachment PrepareOutgoing(string? fileName, byte[] content, bool originalQuality = false)
    {
        var inspected = AttachmentInspector.Inspect(content, fileName, null, profile);
        if (PhotoFormats.Detect(content) == PhotoFormat.Unknown)
        {
            return new NewAttachment(inspected.SafeFileName, inspected.MediaType, content);
        }
        var photo = PhotoProcessor.Process(content, photos with { KeepOriginalQuality = originalQuality });
        var extension = photo.MediaType == PhotoProcessor.PngMediaType ? "png" : "jpg";
        return new NewAttachment(FileNames.Sanitize(fileName, extension), photo.MediaType, photo.Bytes, photo.Thumbnail, photo.Width, photo.Height);
    }

    /// <summary>
    /// Packs documents the MSSanté way for a conversation about a patient identified by an INS: one IHE XDM archive
    /// (IHE_XDM.ZIP with its METADATA.XML) that the receiving record system can file.
    /// </summary>
    public NewAttachment PackXdm(IReadOnlyList<NewAttachment> documents, Conversations.PatientContext patient, XdmAuthor author, DateTimeOffset now)
    {
        if (patient.Ins is null)
        {
            throw new ArgumentException("l'archive XDM demande un patient identifié par son INS");
        }
        var zip = XdmPackage.Build(documents.Select(d => (d.FileName, d.MediaType, d.Content)).ToList(), patient, author, now);
        return new NewAttachment(XdmPackage.FileName, XdmPackage.MediaType, zip);
    }

    /// <summary>Checks the attachments of a message at once (count and total size of the profile).</summary>
    public void CheckOutgoingMessage(IReadOnlyList<NewAttachment> attachments, long textBytes) =>
        AttachmentInspector.CheckMessage(
            attachments.Select(a => new InspectedAttachment(a.MediaType, Path.GetExtension(a.FileName).TrimStart('.'), a.FileName, a.Content.LongLength)).ToList(),
            profile, textBytes);

    /// <summary>
    /// Checks what arrived. A refused attachment keeps only its description and the reason (its bytes are dropped);
    /// an accepted one keeps its bytes as received, under a sanitised name and its true type.
    /// </summary>
    public NewAttachment CheckIncoming(NewAttachment received)
    {
        if (XdmPackage.IsXdmAttachmentName(received.FileName))
        {
            return CheckIncomingXdm(received);
        }
        InspectedAttachment inspected;
        try
        {
            inspected = AttachmentInspector.Inspect(received.Content, received.FileName, received.MediaType, profile);
        }
        catch (AttachmentRefusedException e)
        {
            return new NewAttachment(FileNames.ForDisplay(received.FileName), received.MediaType, [], RefusedReason: e.Message);
        }
        if (PhotoFormats.Detect(received.Content) == PhotoFormat.Unknown)
        {
            return new NewAttachment(inspected.SafeFileName, inspected.MediaType, received.Content);
        }
        try
        {
            // Only for the thumbnail and the dimensions: the photo itself is kept byte for byte as it was sent.
            var preview = PhotoProcessor.Process(received.Content, photos);
            return new NewAttachment(inspected.SafeFileName, inspected.MediaType, received.Content, preview.Thumbnail, preview.Width, preview.Height);
        }
        catch (PhotoException)
        {
            // Too many pixels, or not decodable: kept without a thumbnail, never decoded here.
            return new NewAttachment(inspected.SafeFileName, inspected.MediaType, received.Content);
        }
    }

    /// <summary>An IHE XDM archive: opened within bounds, every document in it checked like any attachment.</summary>
    NewAttachment CheckIncomingXdm(NewAttachment received)
    {
        try
        {
            var contents = XdmPackage.Read(received.Content);
            foreach (var document in contents.Documents)
            {
                AttachmentInspector.Inspect(document.Content, Path.GetFileName(document.Path), document.MediaType, profile);
            }
            return new NewAttachment(XdmPackage.FileName, XdmPackage.MediaType, received.Content);
        }
        catch (Exception e) when (e is XdmArchiveException or AttachmentRefusedException)
        {
            return new NewAttachment(XdmPackage.FileName, XdmPackage.MediaType, [], RefusedReason: "archive XDM refusée : " + e.Message);
        }
    }
}
