using MimeKit;

namespace MiSS.Core.Messaging;

/// <summary>MIME entities and messages as bytes, in the canonical form that is signed, encrypted and sent (CRLF line ends).</summary>
public static class MimeBytes
{
    static readonly FormatOptions CanonicalFormat = new() { NewLineFormat = NewLineFormat.Dos };

    /// <summary>The entity as written on the wire: what a signature covers and what an envelope holds.</summary>
    public static byte[] Canonical(MimeEntity entity) => Exact(stream => entity.WriteTo(CanonicalFormat, stream));

    /// <summary>The whole message as written on the wire.</summary>
    public static byte[] Canonical(MimeMessage message) => Exact(stream => message.WriteTo(CanonicalFormat, stream));

    /// <summary>The decoded content of a part (base64 or quoted-printable undone); empty when it has none.</summary>
    public static byte[] Decoded(MimePart part) => part.Content is { } content ? Exact(stream => content.DecodeTo(stream)) : [];

    /// <summary>
    /// What <paramref name="write"/> writes, in an array of exactly its size: written once to measure, then into the
    /// array. A growing buffer would allocate about four times a 25 MiB body (doublings and the final copy); writing
    /// twice costs a pass over bytes already in memory.
    /// </summary>
    static byte[] Exact(Action<Stream> write)
    {
        long length;
        using (var measuring = new MimeKit.IO.MeasuringStream())
        {
            write(measuring);
            length = measuring.Length;
        }
        var bytes = new byte[length];
        using var target = new MemoryStream(bytes, writable: true);
        write(target);
        return target.Position == length ? bytes : bytes[..(int)target.Position];
    }
}
