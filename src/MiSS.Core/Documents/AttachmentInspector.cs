using System.Globalization;

namespace MiSS.Core.Documents;

/// <summary>An attachment that passed inspection: the sniffed type, a safe file name and the size in bytes.</summary>
/// <param name="MediaType">Canonical media type of the sniffed content ("application/pdf").</param>
/// <param name="Extension">Extension of that type, lower case, no dot ("pdf").</param>
/// <param name="SafeFileName">The declared name made safe (<see cref="FileNames.Sanitize"/>), ending with <paramref name="Extension"/>.</param>
/// <param name="Size">Size of the raw content in bytes.</param>
public sealed record InspectedAttachment(string MediaType, string Extension, string SafeFileName, long Size);

/// <summary>
/// Decides whether an attachment may travel (outgoing) or be shown (incoming). One rule for both directions: the
/// content must sniff as an accepted type (<see cref="FileTypes"/>), and the declared name and media type, when they
/// say something, must agree with it; otherwise the attachment is refused with a French message and a reason.
/// XDM archives (<c>IHE_XDM.ZIP</c>) are not attachments for this class: route them to <see cref="XdmPackage.Read"/>
/// first, then inspect each document it returns.
/// </summary>
public static class AttachmentInspector
{
    private const long MiB = 1024 * 1024;

    // Estimate of what MiSS's sealing adds (see EstimateSealedMessageBytes).
    private const long InnerHeadersAndTextPart = 2048;
    private const long PerAttachmentPartHeaders = 512;
    private const long SignaturePart = 8192;
    private const long EnvelopeOverhead = 4096;
    private const long OuterHeaders = 4096;

    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    // Declared media types that claim nothing.
    private static readonly HashSet<string> GenericMediaTypes = new(StringComparer.Ordinal)
    {
        "application/octet-stream", "binary/octet-stream", "application/binary", "application/unknown", "application/download",
    };

    /// <summary>
    /// Inspects one attachment. Checks, in order: empty, larger than <see cref="TransportProfile.MaxAttachmentBytes"/>,
    /// content type by magic bytes (programs, scripts, archives, compound documents and unknown content refused,
    /// whatever the name), then agreement of <paramref name="declaredMediaType"/> and of the extension of
    /// <paramref name="declaredName"/> with the content. A generic media type (application/octet-stream) or an
    /// extension that names no known type claims nothing.
    /// </summary>
    /// <exception cref="AttachmentRefusedException">The attachment is refused; <see cref="AttachmentRefusedException.Reason"/> says why.</exception>
    public static InspectedAttachment Inspect(byte[] content, string? declaredName, string? declaredMediaType, TransportProfile profile)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(profile);
        var display = FileNames.ForDisplay(declaredName);

        if (content.Length == 0)
        {
            throw Refuse(AttachmentRefusalReason.Empty, display, $"La pièce jointe « {display} » est vide.");
        }
        if (content.Length > profile.MaxAttachmentBytes)
        {
            throw Refuse(AttachmentRefusalReason.TooLarge, display,
                $"La pièce jointe « {display} » est trop volumineuse ({FormatSize(content.Length)}) : "
                + $"la limite est de {FormatSize(profile.MaxAttachmentBytes)} par pièce jointe sur {profile.Name}.");
        }

        var sniffed = FileTypes.Sniff(content);
        if (sniffed.Type is not { } type)
        {
            var reason = sniffed.Refusal ?? AttachmentRefusalReason.UnknownType;
            throw Refuse(reason, display, reason switch
            {
                AttachmentRefusalReason.Executable =>
                    $"La pièce jointe « {display} » est {sniffed.Description} : les programmes sont refusés, quel que soit le nom du fichier.",
                AttachmentRefusalReason.Script =>
                    $"La pièce jointe « {display} » est {sniffed.Description} : les fichiers capables d'exécuter du code sont refusés.",
                AttachmentRefusalReason.Archive =>
                    $"La pièce jointe « {display} » est {sniffed.Description} : les archives sont refusées. Joignez directement les documents (PDF ou images).",
                AttachmentRefusalReason.UnsupportedDocument =>
                    $"La pièce jointe « {display} » est {sniffed.Description} : ce format peut contenir des macros ou des objets actifs et il est refusé. Enregistrez le document en PDF.",
                _ =>
                    $"Le format de la pièce jointe « {display} » n'est pas reconnu. Formats acceptés : PDF, JPEG, PNG, GIF, TIFF, WebP, HEIC/HEIF et texte.",
            });
        }

        if (!string.IsNullOrWhiteSpace(declaredMediaType))
        {
            var declared = FileTypes.NormalizeMediaType(declaredMediaType);
            if (!GenericMediaTypes.Contains(declared) && !type.HasMediaType(declared))
            {
                var claimed = FileTypes.FromMediaType(declared)?.Label ?? $"de type « {Printable(declared)} »";
                throw Refuse(AttachmentRefusalReason.TypeMismatch, display,
                    $"La pièce jointe « {display} » est annoncée comme {claimed} mais contient {type.Label} : elle est refusée. Vérifiez le fichier choisi.");
            }
        }

        if (FileNames.DeclaredExtension(declaredName) is { } extension && !type.HasExtension(extension))
        {
            if (FileTypes.FromExtension(extension) is { } claimed)
            {
                throw Refuse(AttachmentRefusalReason.TypeMismatch, display,
                    $"La pièce jointe « {display} » est nommée comme {claimed.Label} mais contient {type.Label} : elle est refusée. Vérifiez le fichier choisi.");
            }
            if (FileTypes.RefusedExtensions.Contains(extension))
            {
                throw type == FileTypes.Text
                    ? Refuse(AttachmentRefusalReason.Script, display,
                        $"La pièce jointe « {display} » porte l'extension .{extension} d'un programme ou d'un script : elle est refusée.")
                    : Refuse(AttachmentRefusalReason.TypeMismatch, display,
                        $"La pièce jointe « {display} » porte l'extension .{extension} mais contient {type.Label} : elle est refusée. Vérifiez le fichier choisi.");
            }
        }

        return new InspectedAttachment(type.MediaType, type.Extension, FileNames.Sanitize(declaredName, type.Extension), content.Length);
    }

    /// <summary>
    /// Checks a whole outgoing message: at most <see cref="TransportProfile.MaxAttachments"/> attachments, and an
    /// estimated sealed size (<see cref="EstimateSealedMessageBytes"/>) within <see cref="TransportProfile.MaxMessageBytes"/>.
    /// </summary>
    /// <param name="attachments">The inspected attachments.</param>
    /// <param name="profile">The transport.</param>
    /// <param name="textBytes">Size of the message text (UTF-8 bytes).</param>
    /// <exception cref="AttachmentRefusedException">Reason <see cref="AttachmentRefusalReason.TooManyAttachments"/> or <see cref="AttachmentRefusalReason.MessageTooLarge"/>.</exception>
    public static void CheckMessage(IReadOnlyCollection<InspectedAttachment> attachments, TransportProfile profile, long textBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegative(textBytes);
        if (attachments.Count > profile.MaxAttachments)
        {
            throw new AttachmentRefusedException(AttachmentRefusalReason.TooManyAttachments,
                $"Trop de pièces jointes : {attachments.Count}, pour un maximum de {profile.MaxAttachments} par message sur {profile.Name}.");
        }
        var estimate = EstimateSealedMessageBytes(attachments.Select(a => a.Size), textBytes);
        if (estimate > profile.MaxMessageBytes)
        {
            throw new AttachmentRefusedException(AttachmentRefusalReason.MessageTooLarge,
                $"Le message serait trop volumineux une fois chiffré (environ {FormatSize(estimate)}) : la limite est de "
                + $"{FormatSize(profile.MaxMessageBytes)} sur {profile.Name}. Retirez des pièces jointes ou envoyez-les en plusieurs messages.");
        }
    }

    /// <summary>
    /// Estimated size of the message as submitted after MiSS's sealing: each attachment base64-encoded (76-character
    /// lines) in the inner MIME, a detached signature, then the whole enveloped-data base64-encoded once more. The
    /// two base64 layers make a message about 1.9 times its attachments. Fixed allowances cover headers (2 KiB inner,
    /// 512 bytes a part, 4 KiB outer), the signature with its chain (8 KiB) and the envelope (4 KiB); the SMTP
    /// server's SIZE remains the authority.
    /// </summary>
    public static long EstimateSealedMessageBytes(IEnumerable<long> attachmentSizes, long textBytes)
    {
        ArgumentNullException.ThrowIfNull(attachmentSizes);
        var inner = InnerHeadersAndTextPart + textBytes + attachmentSizes.Sum(size => Base64MimeLength(size) + PerAttachmentPartHeaders);
        var enveloped = inner + SignaturePart + EnvelopeOverhead;
        return Base64MimeLength(enveloped) + OuterHeaders;
    }

    /// <summary>Length of <paramref name="bytes"/> bytes in MIME base64: 4 characters per 3 bytes, CRLF after each 76.</summary>
    public static long Base64MimeLength(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var chars = (bytes + 2) / 3 * 4;
        var lines = (chars + 75) / 76;
        return chars + (lines * 2);
    }

    /// <summary>A size in French units ("12,5 Mo", "300 ko"), binary multiples.</summary>
    public static string FormatSize(long bytes) => bytes >= MiB
        ? string.Create(French, $"{bytes / (double)MiB:0.#} Mo")
        : string.Create(French, $"{Math.Max(1, (bytes + 1023) / 1024)} ko");

    private static AttachmentRefusedException Refuse(AttachmentRefusalReason reason, string fileName, string message) =>
        new(reason, message, fileName);

    private static string Printable(string text)
    {
        var printable = new string(text.Where(c => c is >= ' ' and <= '~').Take(80).ToArray());
        return printable.Length == 0 ? "?" : printable;
    }
}
