namespace MiSS.Mail.Mime;

/// <summary>Content-Transfer-Encoding values (RFC 2045 §6).</summary>
public enum ContentEncoding
{
    /// <summary>7bit: short lines of US-ASCII (also the meaning of an absent or unknown header).</summary>
    SevenBit,

    /// <summary>8bit: short lines, any octet but NUL.</summary>
    EightBit,

    /// <summary>binary: any octets, no line structure.</summary>
    Binary,

    /// <summary>base64.</summary>
    Base64,

    /// <summary>quoted-printable.</summary>
    QuotedPrintable,
}
