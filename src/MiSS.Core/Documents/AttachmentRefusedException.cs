namespace MiSS.Core.Documents;

/// <summary>Why an attachment, or a message's set of attachments, was refused.</summary>
public enum AttachmentRefusalReason
{
    /// <summary>The content has no bytes.</summary>
    Empty,

    /// <summary>The attachment exceeds the profile's per-attachment limit.</summary>
    TooLarge,

    /// <summary>A program or a shortcut (PE, ELF, Mach-O, Java class, DEX, WebAssembly, .lnk).</summary>
    Executable,

    /// <summary>Code a shell or a browser runs: a #! script, HTML, SVG, XML carrying them, or a text claiming a script name.</summary>
    Script,

    /// <summary>An archive (ZIP and the office formats built on it, RAR, 7z, gzip…). XDM archives go through <see cref="XdmPackage"/>.</summary>
    Archive,

    /// <summary>A document format MiSS does not carry: OLE compound files (legacy Office, MSI) and RTF.</summary>
    UnsupportedDocument,

    /// <summary>Content recognised as none of the accepted types.</summary>
    UnknownType,

    /// <summary>The declared name or media type names another type than the content is.</summary>
    TypeMismatch,

    /// <summary>More attachments than the profile allows in one message.</summary>
    TooManyAttachments,

    /// <summary>The sealed message would exceed the profile's message limit.</summary>
    MessageTooLarge,
}

/// <summary>
/// An attachment refused, with a French message for the user and a <see cref="Reason"/> for code. The message
/// names the file (cleaned for display): show it to the user, but log only the reason, never the message (file
/// names often carry a patient's name).
/// </summary>
public sealed class AttachmentRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AttachmentRefusedException(AttachmentRefusalReason reason, string message, string? fileName = null)
        : base(message)
    {
        Reason = reason;
        FileName = fileName;
    }

    /// <summary>Why, for code.</summary>
    public AttachmentRefusalReason Reason { get; }

    /// <summary>The declared file name cleaned for display, when the refusal concerns one file.</summary>
    public string? FileName { get; }
}
