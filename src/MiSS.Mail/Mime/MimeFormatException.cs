namespace MiSS.Mail.Mime;

/// <summary>The input exceeds a <see cref="MimeLimits"/> limit; the message says which, and where.</summary>
public sealed class MimeFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public MimeFormatException()
    {
    }

    /// <summary>Creates the exception with a specific message.</summary>
    public MimeFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a specific message and cause.</summary>
    public MimeFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Byte offset in the input where the problem was found, or -1.</summary>
    public long Offset { get; init; } = -1;
}
