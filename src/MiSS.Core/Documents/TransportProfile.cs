namespace MiSS.Core.Documents;

/// <summary>
/// Size and count limits of one transport. The figures of <see cref="MSSante"/> and <see cref="Apicrypt"/> are
/// defaults, not norms: an installation adjusts them (<c>TransportProfile.MSSante with { MaxMessageBytes = … }</c>)
/// to its operator's announced limit (the SMTP SIZE extension gives the authoritative one at submission).
/// </summary>
public sealed record TransportProfile
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// MSSanté: 20 MiB per message as it travels (headers, base64 and S/MIME included), the limit operators commonly
    /// apply; 15 MiB per attachment (the largest file a 20 MiB message can carry in a single base64 layer); 10
    /// attachments.
    /// </summary>
    public static readonly TransportProfile MSSante = new("MSSanté", 20 * MiB, 15 * MiB, 10);

    /// <summary>
    /// Apicrypt (v2, through its MSSanté platform). An assumption, not a published figure: 10 MiB per message,
    /// 7.5 MiB per attachment, 10 attachments. Adjust to what the platform announces.
    /// </summary>
    public static readonly TransportProfile Apicrypt = new("Apicrypt", 10 * MiB, 15 * MiB / 2, 10);

    /// <summary>Creates a profile; every limit must be positive and an attachment cannot exceed the message.</summary>
    public TransportProfile(string name, long maxMessageBytes, long maxAttachmentBytes, int maxAttachments)
    {
        Name = name;
        MaxMessageBytes = maxMessageBytes;
        MaxAttachmentBytes = maxAttachmentBytes;
        MaxAttachments = maxAttachments;
        Validate();
    }

    /// <summary>The name shown to users ("MSSanté").</summary>
    public string Name
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A profile needs a name.", nameof(value)) : value;
    }

    /// <summary>Largest message as submitted (encoded, sealed), in bytes.</summary>
    public long MaxMessageBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    }

    /// <summary>Largest single attachment (raw content), in bytes.</summary>
    public long MaxAttachmentBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    }

    /// <summary>Most attachments in one message.</summary>
    public int MaxAttachments
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    }

    private void Validate()
    {
        if (MaxAttachmentBytes > MaxMessageBytes)
        {
            throw new ArgumentException("An attachment limit cannot exceed the message limit.");
        }
    }
}
