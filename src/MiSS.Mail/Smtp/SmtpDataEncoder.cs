namespace MiSS.Mail.Smtp;

/// <summary>
/// Turns raw message bytes into the DATA payload (RFC 5321 4.5.2): every line ends with CRLF (bare LF and bare CR
/// become CRLF), a line starting with "." gets another ".", the last line is terminated, and ".\r\n" ends the data.
/// </summary>
internal static class SmtpDataEncoder
{
    /// <summary>Facts about a message needed before sending it.</summary>
    /// <param name="NormalizedSize">Size with CRLF line ends and without dot-stuffing: the RFC 1870 SIZE value.</param>
    /// <param name="EncodedSize">Length of the DATA payload including dot-stuffing and the terminator.</param>
    /// <param name="HasEightBit">True when a byte above 127 occurs (BODY=8BITMIME is then declared if offered).</param>
    internal readonly record struct Measurement(long NormalizedSize, long EncodedSize, bool HasEightBit);

    /// <summary>Measures <paramref name="message"/> without encoding it.</summary>
    public static Measurement Measure(ReadOnlySpan<byte> message)
    {
        long normalized = 0;
        long stuffed = 0;
        var eightBit = false;
        var atLineStart = true;
        for (var i = 0; i < message.Length; i++)
        {
            var b = message[i];
            if (b == '\r' || b == '\n')
            {
                if (b == '\r' && i + 1 < message.Length && message[i + 1] == '\n')
                {
                    i++;
                }

                normalized += 2;
                atLineStart = true;
                continue;
            }

            if (atLineStart && b == '.')
            {
                stuffed++;
            }

            eightBit |= b >= 0x80;
            normalized++;
            atLineStart = false;
        }

        if (!atLineStart)
        {
            normalized += 2;
        }

        return new Measurement(normalized, normalized + stuffed + 3, eightBit);
    }

    /// <summary>Returns the complete DATA payload for <paramref name="message"/>, ending with ".\r\n".</summary>
    public static byte[] Encode(ReadOnlySpan<byte> message)
    {
        var measurement = Measure(message);
        if (measurement.EncodedSize > Array.MaxLength)
        {
            throw new ArgumentException("the message is too large to send", nameof(message));
        }

        var output = new byte[measurement.EncodedSize];
        var o = 0;
        var atLineStart = true;
        for (var i = 0; i < message.Length; i++)
        {
            var b = message[i];
            if (b == '\r' || b == '\n')
            {
                if (b == '\r' && i + 1 < message.Length && message[i + 1] == '\n')
                {
                    i++;
                }

                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
                atLineStart = true;
                continue;
            }

            if (atLineStart && b == '.')
            {
                output[o++] = (byte)'.';
            }

            output[o++] = b;
            atLineStart = false;
        }

        if (!atLineStart)
        {
            output[o++] = (byte)'\r';
            output[o++] = (byte)'\n';
        }

        output[o++] = (byte)'.';
        output[o++] = (byte)'\r';
        output[o++] = (byte)'\n';
        return output;
    }
}
