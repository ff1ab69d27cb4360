namespace MiSS.Mail.Mime;

/// <summary>
/// Parses MIME from memory. Tolerant of real-world breakage (bare LF, missing boundaries, 8-bit headers, mbox
/// "From " lines); throws only <see cref="MimeFormatException"/>, and only when a <see cref="MimeLimits"/> limit is exceeded.
/// The tree keeps slices of the input (bodies, <see cref="MimeEntity.RawBytes"/>): do not reuse the buffer while the tree is in use.
/// </summary>
public static class MimeReader
{
    /// <summary>Reads a whole message (RFC 5322 headers and a MIME body).</summary>
    public static MimeMessage ReadMessage(ReadOnlyMemory<byte> data, MimeLimits? limits = null) =>
        (MimeMessage)MimeParser.Parse(data, limits ?? MimeLimits.Default, asMessage: true);

    /// <summary>Reads an entity that is not a whole message, e.g. the decrypted content of S/MIME.</summary>
    public static MimeEntity ReadEntity(ReadOnlyMemory<byte> data, MimeLimits? limits = null) =>
        (MimeEntity)MimeParser.Parse(data, limits ?? MimeLimits.Default, asMessage: false);

    /// <summary>Reads a whole message from a stream (buffered in memory).</summary>
    public static MimeMessage ReadMessage(Stream input, MimeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return ReadMessage(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), limits);
    }
}
