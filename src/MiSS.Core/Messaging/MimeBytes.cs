using MimeKit;

namespace MiSS.Core.Messaging;

/// <summary>MIME entities and messages as bytes, in the canonical form that is signed, encrypted and sent (CRLF line ends).</summary>
public static class MimeBytes
{
    static readonly FormatOptions CanonicalFormat = new() { NewLineFormat = NewLineFormat.Dos };

    /// <summary>The entity as written on the wire: what a signature covers and what an envelope holds.</summary>
    public static byte[] Canonical(MimeEntity entity)
    {
        using var buffer = new MemoryStream();
        entity.WriteTo(CanonicalFormat, buffer);
        return buffer.ToArray();
    }

    /// <summary>The whole message as written on the wire.</summary>
    public static byte[] Canonical(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(CanonicalFormat, buffer);
        return buffer.ToArray();
    }
}
